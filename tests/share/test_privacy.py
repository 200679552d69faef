"""Privacy: anonymous links and the global switch, Do-Not-Track, the notice, and a viewer's data
exported and deleted on request."""

from __future__ import annotations

import json
import re

from fixtures.share import make_link, open_viewer, token_of, visit_key
from helpers import login

from app.extensions import db


def stored_visits(app):
    from app.share.models import ShareVisit

    with app.app_context():
        return [(v.viewer_email, v.ip_hash, v.anonymous)
                for v in db.session.scalars(db.select(ShareVisit).order_by(ShareVisit.id))]


def pass_email_gate(viewer, link, email):
    gate = open_viewer(viewer, link).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', gate).group(1)
    assert viewer.post(f"/s/{token_of(link)}", data={"email": email, "csrf_token": csrf}
                       ).status_code == 303
    return open_viewer(viewer, link).get_data(as_text=True)


def set_setting(client, admin_email, key, value):
    from app.auth.models import User
    from app.settings.services import change_settings

    user = db.session.scalar(db.select(User).where(User.email == admin_email))
    change_settings(user, {key: value})


def test_an_anonymous_link_keeps_no_email_and_no_address(app, client, world):
    link = make_link(client, world["rep_headers"], asset_ids=[world["assets"]["md"]],
                     require_email=True, anonymous=True)
    html = pass_email_gate(app.test_client(), link, "ana@acme.com")
    assert "only totals" in html and "We win on" in html
    assert stored_visits(app) == [(None, None, True)]


def test_the_global_switch_and_do_not_track(app, client, world):
    from app.share.settings import ANONYMOUS_EVERYWHERE, HONOUR_DNT

    link = make_link(client, world["rep_headers"], asset_ids=[world["assets"]["md"]],
                     require_email=True)
    # Do-Not-Track is ignored until an admin turns it on.
    pass_email_gate(app.test_client(), link, "one@acme.com")
    with app.app_context():
        set_setting(client, world["admin_user"].email, HONOUR_DNT.key, True)
    dnt = app.test_client()
    gate = dnt.get(f"/s/{token_of(link)}", headers={"DNT": "1"}).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', gate).group(1)
    dnt.post(f"/s/{token_of(link)}", data={"email": "two@acme.com", "csrf_token": csrf},
             headers={"DNT": "1"})
    dnt.get(f"/s/{token_of(link)}", headers={"DNT": "1", "User-Agent": "dnt browser"})
    with app.app_context():
        set_setting(client, world["admin_user"].email, ANONYMOUS_EVERYWHERE.key, True)
    pass_email_gate(app.test_client(), link, "three@acme.com")
    emails = [(email, ip is not None, anonymous) for email, ip, anonymous in stored_visits(app)]
    assert emails == [("one@acme.com", True, False), (None, False, True), (None, False, True)]


def test_a_viewers_data_is_exported_and_deleted_by_an_admin(app, client, world):
    from app.share.models import ShareVisit, VisitTime

    link = make_link(client, world["rep_headers"], asset_ids=[world["assets"]["pdf"]],
                     require_email=True)
    viewer = app.test_client()
    html = pass_email_gate(viewer, link, "ana@acme.com")
    with app.app_context():
        visit = db.session.get(ShareVisit, int(visit_key(html).split(".")[0]))
        visit.started_at = visit.started_at.replace(year=visit.started_at.year - 1)
        db.session.commit()
    viewer.post(f"/s/{token_of(link)}/beacon", json={"v": visit_key(html),
                                                      "t": [[link["items"][0]["id"], 2, 9]]})
    pass_email_gate(app.test_client(), link, "bob@acme.com")
    rep = app.test_client()
    login(rep, world["rep"].email)
    assert rep.get("/admin/share/viewers?email=ana@acme.com").status_code == 403
    admin = app.test_client()
    login(admin, world["admin_user"].email)
    exported = admin.get("/admin/share/viewers?email=ANA@acme.com&format=json")
    assert "attachment" in exported.headers["Content-Disposition"]
    data = json.loads(exported.data)
    assert data["email"] == "ana@acme.com" and len(data["visits"]) == 1
    assert data["visits"][0]["pages"] == [{"item_id": link["items"][0]["id"], "page": 2,
                                           "seconds": 9.0}]
    page = admin.get("/admin/share/viewers?email=ana@acme.com").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    deleted = admin.post("/admin/share/viewers", data={"email": "ana@acme.com",
                                                       "action": "delete", "csrf_token": csrf})
    assert deleted.status_code == 302
    with app.app_context():
        left = db.session.scalars(db.select(ShareVisit.viewer_email)).all()
        assert left == ["bob@acme.com"]
        assert db.session.scalar(db.select(db.func.count()).select_from(VisitTime)) == 0
