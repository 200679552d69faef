"""Every route, every role: who gets in, who gets 403/404, who is sent to sign in.

The table must name every route the app has; a new route without an entry fails
test_every_route_is_in_the_table, so permissions are decided, never forgotten.
"""

import io

import pytest
from helpers import PASSWORD, SAMPLE_PDF, corpus_file, csrf_token, login, multipart

from app.extensions import db

ROLES = ("anonymous", "rep", "leader", "marketer", "owner", "admin")
EVERYONE = {"rep", "leader", "marketer", "owner", "admin"}
CONTENT = {"marketer", "owner", "admin"}
EDITORS = {"owner", "admin"}
ADMINS = {"admin"}
CURATOR = {"owner", "admin"}  # the collection below belongs to `owner`
DEAL_EDITORS = {"rep", "admin"}  # the deal below belongs to `rep`
SAMPLE_DECK = "office/pptx/minimal.pptx"
FORK_EDITORS = {"rep", "admin"}  # the forks below belong to `rep`
FORK_WATCHERS = {"leader", "marketer", "owner", "admin"}
LINK_MANAGERS = {"rep", "admin"}  # the share link below belongs to `rep`
REPS_VIEWERS = {"rep", "leader", "admin"}
MARKETING_VIEWERS = {"leader", "marketer", "owner", "admin"}
NEW_DEAL = {"external_id": "API-1", "name": "Via API", "stage": "Discovery",
            "close_date": "2030-01-31", "owner_email": "{rep_email}"}

# (endpoint, method, url template, who may use it, body)
TABLE = [
    ("library.index", "GET", "/", EVERYONE, None),
    ("library.detail", "GET", "/assets/{asset}", EVERYONE, None),
    ("library.upload", "GET", "/assets/new", CONTENT, None),
    ("library.upload", "POST", "/assets/new", CONTENT, "upload"),
    ("library.edit", "GET", "/assets/{asset}/edit", EDITORS, None),
    ("library.edit", "POST", "/assets/{asset}/edit", EDITORS, {"title": "Renamed",
                                                               "status": "published"}),
    ("library.archive", "POST", "/assets/{asset}/archive", EDITORS, {}),
    ("library.versions", "GET", "/assets/{asset}/versions", CONTENT, None),
    ("library.versions", "POST", "/assets/{asset}/versions", EDITORS, "version"),
    ("library.restore", "POST", "/assets/{asset}/versions/1/restore", EDITORS, {}),
    ("library.download", "GET", "/assets/{asset}/versions/1/download", EVERYONE, None),
    ("library.view", "GET", "/assets/{asset}/versions/1/view", EVERYONE, None),
    ("library.thumbnail", "GET", "/assets/{asset}/thumbnail", EVERYONE, None),
    ("library.preview_pdf", "GET", "/assets/{deck}/versions/1/preview.pdf", EVERYONE, None),
    ("library.page_thumbnail", "GET", "/assets/{deck}/versions/1/pages/2.png", EVERYONE, None),
    ("auth.logout", "POST", "/logout", EVERYONE, {}),
    ("auth.change_password", "GET", "/account/password", EVERYONE, None),
    ("auth.change_password", "POST", "/account/password", EVERYONE,
     {"current_password": PASSWORD, "new_password": "another long passphrase"}),
    ("auth.sign_out_everywhere", "POST", "/account/sign-out-everywhere", EVERYONE, {}),
    ("auth.tokens_page", "GET", "/account/tokens", EVERYONE, None),
    ("auth.create_token", "POST", "/account/tokens", EVERYONE,
     {"label": "CRM sync", "expires": "30"}),
    ("auth.revoke_token", "POST", "/account/tokens/{token}/revoke", EVERYONE, {}),  # their own
    ("admin.users", "GET", "/admin/users", ADMINS, None),
    ("admin.invite", "POST", "/admin/users/invite", ADMINS,
     {"email": "invitee@example.test", "name": "Invitee", "role": "rep"}),
    ("admin.change_role", "POST", "/admin/users/{other}/role", ADMINS, {"role": "leader"}),
    ("admin.set_active", "POST", "/admin/users/{other}/active/0", ADMINS, {}),
    ("admin.reinvite", "POST", "/admin/users/{invited}/invite", ADMINS, {}),
    ("admin.tokens_page", "GET", "/admin/tokens", ADMINS, None),
    ("admin.revoke_token", "POST", "/admin/tokens/{other_token}/revoke", ADMINS, {}),
    ("search.search", "GET", "/search?q=deck", EVERYONE, None),
    ("search.suggest", "GET", "/search/suggest?q=deck", EVERYONE, None),
    ("search.open_result", "GET", "/search/{search}/open/{asset}", EVERYONE, None),
    ("search.insights", "GET", "/search/insights", CONTENT, None),
    ("collections.index", "GET", "/collections", EVERYONE, None),
    ("collections.create", "POST", "/collections", CONTENT, {"title": "Kit"}),
    ("collections.detail", "GET", "/collections/{collection}", EVERYONE, None),
    ("collections.update", "POST", "/collections/{collection}", CURATOR,
     {"title": "Renamed kit", "status": "published"}),
    ("collections.delete", "POST", "/collections/{collection}/delete", CURATOR, {}),
    ("collections.add_item", "POST", "/collections/{collection}/items", CURATOR,
     {"asset_id": "{asset}"}),
    ("collections.change_item", "POST", "/collections/{collection}/items/{asset}/up", CURATOR,
     {}),
    ("deals.index", "GET", "/deals", EVERYONE, None),
    ("deals.detail", "GET", "/deals/{deal}", EVERYONE, None),
    ("deals.edit", "GET", "/deals/{deal}/edit", DEAL_EDITORS, None),
    ("deals.edit", "POST", "/deals/{deal}/edit", DEAL_EDITORS,
     {"name": "Renamed deal", "stage": "Evaluation", "status": "open",
      "close_date": "2030-01-31", "amount": "1000", "currency": "USD"}),
    ("deals.record_usage", "POST", "/usage", DEAL_EDITORS,
     {"deal_id": "{deal}", "asset_id": "{asset}", "action": "emailed", "next": "/"}),
    ("deals_admin.import_form", "GET", "/admin/deals/import", ADMINS, None),
    ("deals_admin.import_preview", "POST", "/admin/deals/import", ADMINS, "deal-import"),
    ("deals_admin.import_run", "POST", "/admin/deals/import/confirm", ADMINS,
     {"token": "x" * 32, "mode": "all_or_nothing"}),
    ("deals_admin.pipeline", "GET", "/admin/pipeline", ADMINS, None),
    ("deals_admin.update_stage", "POST", "/admin/pipeline/{spare}", ADMINS,
     {"name": "Spare stage", "outcome": "open", "content_stage": "evaluation"}),
    ("deals_admin.move_stage", "POST", "/admin/pipeline/{spare}/up", ADMINS, {}),
    ("deals_admin.merge_stage", "POST", "/admin/pipeline/{spare}/merge", ADMINS,
     {"into": "{stage}"}),
    ("settings.index", "GET", "/admin/settings", ADMINS, None),
    ("settings.save", "POST", "/admin/settings", ADMINS, {"on": "deals.marketers_see_amounts"}),
    ("deals_api.Deals", "GET", "/api/v1/deals", EVERYONE, None),
    ("deals_api.Deals", "POST", "/api/v1/deals", DEAL_EDITORS, NEW_DEAL),
    ("deals_api.DealById", "GET", "/api/v1/deals/{deal}", EVERYONE, None),
    ("deals_api.DealById", "PATCH", "/api/v1/deals/{deal}", DEAL_EDITORS, {"name": "Patched"}),
    ("deals_api.DealUsage", "GET", "/api/v1/deals/{deal}/usage", EVERYONE, None),
    ("deals_api.DealUsage", "POST", "/api/v1/deals/{deal}/usage", DEAL_EDITORS,
     {"asset_id": "{asset}", "action": "presented"}),
    ("deal_imports_api.import_deals", "POST", "/api/v1/deals/imports", ADMINS,
     "api-deal-import"),
    ("forks.create", "POST", "/assets/{asset}/fork", EVERYONE, {"account": "Acme"}),
    ("forks.index", "GET", "/forks", EVERYONE, None),
    ("forks.detail", "GET", "/forks/{fork}", EVERYONE, None),  # its owner and FORK_WATCHERS
    ("forks.save", "POST", "/forks/{fork}", FORK_EDITORS,
     {"title": "Tailored", "account": "Acme", "body": "# Hi {{{{company}}}}\n"}),
    ("forks.preview", "POST", "/forks/{fork}/preview", EVERYONE, {"body": "# Hi"}),
    ("forks.download", "GET", "/forks/{fork}/download", EVERYONE, None),
    ("forks.update_from_source", "POST", "/forks/{behind}/update", FORK_EDITORS, {}),
    ("forks.suggest", "POST", "/forks/{behind}/suggest", FORK_EDITORS, {"comment": "Better"}),
    ("forks.queue", "GET", "/suggestions", CONTENT, None),
    ("forks.decide", "POST", "/suggestions/{suggestion}/decline", EDITORS, {"reply": "No"}),
    ("forks.field_defaults", "POST", "/assets/{template}/field-defaults", EDITORS,
     {"default-company": "your company"}),
    ("forks_api.AssetForks", "GET", "/api/v1/assets/{template}/forks", FORK_WATCHERS, None),
    ("forks_api.AssetForks", "POST", "/api/v1/assets/{template}/forks", EVERYONE,
     {"account": "Acme"}),
    ("forks_api.my_forks", "GET", "/api/v1/forks", EVERYONE, None),
    ("forks_api.ForkById", "GET", "/api/v1/forks/{fork}", EVERYONE, None),
    ("forks_api.ForkById", "PATCH", "/api/v1/forks/{fork}", FORK_EDITORS, {"account": "B"}),
    ("forks_api.render", "GET", "/api/v1/forks/{fork}/render", EVERYONE, None),
    ("forks_api.update_from_source", "POST", "/api/v1/forks/{behind}/update-from-source",
     FORK_EDITORS, {}),
    ("forks_api.suggest", "POST", "/api/v1/forks/{behind}/suggest", FORK_EDITORS,
     {"comment": "Better"}),
    ("forks_api.pending_suggestions", "GET", "/api/v1/suggestions", CONTENT, None),
    ("forks_api.accept", "POST", "/api/v1/suggestions/{suggestion}/accept", EDITORS, {}),
    ("forks_api.decline", "POST", "/api/v1/suggestions/{suggestion}/decline", EDITORS,
     {"reply": "No"}),
    ("share.index", "GET", "/share", EVERYONE, None),
    ("share.create", "POST", "/share", EVERYONE, {"asset_id": "{asset}"}),
    ("share.new_room", "GET", "/share/room", EVERYONE, None),
    ("share.detail", "GET", "/share/{link}", LINK_MANAGERS, None),
    ("share.update", "POST", "/share/{link}", LINK_MANAGERS, {"title": "Renamed"}),
    ("share.revoke", "POST", "/share/{link}/revoke", LINK_MANAGERS, {}),
    ("share.reactivate", "POST", "/share/{link}/reactivate", LINK_MANAGERS, {}),
    ("share.items", "POST", "/share/{link}/items", LINK_MANAGERS,
     {"action": "down", "item": "{link_item}"}),
    ("share.notifications", "GET", "/notifications", EVERYONE, None),
    ("share.notifications_read", "POST", "/notifications/read", EVERYONE, {}),
    ("share.viewers", "GET", "/admin/share/viewers?email=ana@acme.test", ADMINS, None),
    ("share.viewers", "POST", "/admin/share/viewers", ADMINS,
     {"email": "ana@acme.test", "action": "delete"}),
    ("insights.dashboard", "GET", "/insights", EVERYONE, None),
    ("insights.asset", "GET", "/insights/assets/{asset}", EVERYONE, None),
    # Reps see their own row; marketers only when an admin allows it (off here).
    ("insights.reps", "GET", "/insights/reps", REPS_VIEWERS, None),
    ("insights.marketing", "GET", "/insights/marketing", MARKETING_VIEWERS, None),
    ("analytics_api.AssetList", "GET", "/api/v1/analytics/assets", EVERYONE, None),
    ("analytics_api.AssetDetail", "GET", "/api/v1/analytics/assets/{asset}", EVERYONE, None),
    ("analytics_api.Reps", "GET", "/api/v1/analytics/reps", REPS_VIEWERS, None),
    ("share_api.Links", "GET", "/api/v1/share-links", EVERYONE, None),
    ("share_api.Links", "POST", "/api/v1/share-links", EVERYONE, {"asset_ids": ["{asset}"]}),
    ("share_api.LinkById", "GET", "/api/v1/share-links/{link}", LINK_MANAGERS, None),
    ("share_api.LinkById", "PATCH", "/api/v1/share-links/{link}", LINK_MANAGERS,
     {"title": "Via API"}),
    ("share_api.LinkById", "DELETE", "/api/v1/share-links/{link}", LINK_MANAGERS, None),
    ("share_api.views", "GET", "/api/v1/share-links/{link}/views", LINK_MANAGERS, None),
    ("me.me", "GET", "/api/v1/me", EVERYONE, None),
    ("search_api.search", "GET", "/api/v1/search?q=deck", EVERYONE, None),
    ("assets.Assets", "GET", "/api/v1/assets", EVERYONE, None),
    ("assets.Assets", "POST", "/api/v1/assets", CONTENT, "api-upload"),
    ("assets.AssetById", "GET", "/api/v1/assets/{asset}", EVERYONE, None),
    ("assets.AssetById", "PATCH", "/api/v1/assets/{asset}", EDITORS, {"title": "Via API"}),
    ("assets.AssetById", "DELETE", "/api/v1/assets/{asset}", EDITORS, None),
    ("assets.Versions", "GET", "/api/v1/assets/{asset}/versions", CONTENT, None),
    ("assets.Versions", "POST", "/api/v1/assets/{asset}/versions", EDITORS, "api-version"),
    ("assets.download_version", "GET", "/api/v1/assets/{asset}/versions/1/download", EVERYONE,
     None),
    ("assets.restore_version", "POST", "/api/v1/assets/{asset}/versions/1/restore", EDITORS,
     None),
]
# Reachable without signing in, by design.
PUBLIC = {"auth.login", "auth.accept_invite", "static", "api-docs.openapi_json"}
# The prospect's viewer of a share link: no roles, its own gate (tests/share/test_viewer.py).
PUBLIC |= {"viewer.open_link", "viewer.pass_gate", "viewer.check_code", "viewer.item_bytes",
           "viewer.item_download", "viewer.beacon"}


def test_every_route_is_in_the_table(app):
    covered = {(endpoint, method) for endpoint, method, *_ in TABLE}
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC:
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if (rule.endpoint, method) not in covered:
                missing.append(f"{method} {rule.rule} ({rule.endpoint})")
    assert not missing, "routes without a permission entry: " + ", ".join(missing)


@pytest.fixture
def world(app, make_user):
    """A published asset owned by `owner`, and a bystander user for the admin routes."""
    from app.auth.models import User
    from app.collections import services as collection_services
    from app.library import services
    from app.search.models import SearchLog

    users = {role: make_user("marketer" if role == "owner" else role)
             for role in ROLES if role != "anonymous"}
    other = make_user("rep")
    with app.app_context():
        owner = db.session.get(User, users["owner"].id)
        asset = services.create_asset(owner, io.BytesIO(corpus_file(SAMPLE_PDF)), "deck.pdf",
                                      {"status": "published"})
        collection = collection_services.create_collection(owner, "Healthcare kit",
                                                           status="published")
        collection_services.add_item(owner, collection.id, asset.id)
        ids = {"asset": asset.id, "other": other.id, "collection": collection.id}
        _add_tokens_and_invitee(ids, users, other)
        _add_deal(ids, users)
        _add_forks(ids, users)
        _add_link(ids, users)
        hashes = {u.id: u.password_hash for u in db.session.query(User)}
        searches = {}
        for role, user in users.items():
            entry = SearchLog(user_id=user.id, role=user.role, query="deck", query_key="deck",
                              filters={}, sort="relevance", result_count=1)
            db.session.add(entry)
            db.session.commit()
            searches[role] = entry.id
    return users, ids, hashes, searches


def _add_deal(ids, users):
    """An open deal owned by `rep`, and a spare pipeline stage for the admin's pipeline routes."""
    from app.auth.models import User
    from app.deals import services
    from app.deals.models import Deal, PipelineStage
    from app.deals.pipeline import resolve_stage

    admin = db.session.get(User, users["admin"].id)
    services.upsert_deals(admin, [{"external_id": "OPP-1", "name": "Acme", "stage": "Evaluation",
                                   "close_date": "2030-01-31",
                                   "owner_email": users["rep"].email}])
    deal = db.session.query(Deal).one()
    spare = resolve_stage("Spare", "open").stage
    db.session.commit()
    ids.update(deal=deal.id, stage=deal.stage_id, spare=spare.id, rep_email=users["rep"].email)
    assert db.session.get(PipelineStage, spare.id) is not None


def _add_forks(ids, users):
    """Two Markdown assets of `owner`'s and forks of them by `rep`: `fork`, with a suggestion
    waiting; `behind`, edited, on version 1 of a source that has a version 2 since."""
    from app.auth.models import User
    from app.forks import services as forks
    from app.forks import suggestions
    from app.library import services as library

    owner = db.session.get(User, users["owner"].id)
    rep = db.session.get(User, users["rep"].id)
    template = library.create_asset(owner, io.BytesIO(b"# Hi {{company}}\n\nIntro.\n"),
                                    "email.md", {"status": "published"})
    moving = library.create_asset(owner, io.BytesIO(b"# Hello {{company}}\n\nIntro.\n"),
                                  "talk-track.md", {"status": "published"})
    fork = forks.create_fork(rep, asset_id=template.id, body="# Hi {{company}}\n\nMine.\n")
    suggestion = suggestions.suggest(rep, fork.id, "Warmer")
    behind = forks.create_fork(rep, asset_id=moving.id,
                               body="# Hello {{company}}\n\nIntro.\n\nMy line.\n")
    library.add_version(owner, moving.id, io.BytesIO(b"# Hello {{company}}!\n\nIntro.\n"),
                        "talk-track.md")
    deck = library.create_asset(owner, io.BytesIO(corpus_file(SAMPLE_DECK)), "deck.pptx",
                                {"status": "published"})
    # What LibreOffice would have made of it (the preview tests run the real conversion).
    from app.storage.flask import get_storage

    version = deck.current_version
    version.preview_pdf_key = get_storage().save(io.BytesIO(corpus_file(SAMPLE_PDF))).key
    version.page_count = 4
    db.session.commit()
    ids.update(deck=deck.id)
    ids.update(template=template.id, fork=fork.id, suggestion=suggestion.id, behind=behind.id,
               fork_body=fork.body, behind_body=behind.body,
               behind_version=behind.source_version_id, template_version=fork.source_version_id)


def _add_link(ids, users):
    """A share link of `rep`'s with two items (the deck and rep's fork)."""
    from app.auth.models import User
    from app.share import links

    rep = db.session.get(User, users["rep"].id)
    link = links.create_link(rep, asset_ids=[ids["asset"]], fork_ids=[ids["fork"]])
    ids.update(link=link.id, link_item=link.items[0].id)


def _restore_link(ids):
    from app.share.models import ShareLink

    db.session.query(ShareLink).filter(ShareLink.id != ids["link"]).delete()
    link = db.session.get(ShareLink, ids["link"])
    link.revoked_at = link.revoked_by_id = None
    for item in link.items:
        item.position = 0 if item.id == ids["link_item"] else 1


def _add_tokens_and_invitee(ids, users, other):
    """An API token for each user (each role revokes its own), and a pending invitation."""
    from app.auth import services
    from app.auth.models import ApiToken, User

    for role, user in [*users.items(), ("other", other)]:
        services.issue_token(db.session.get(User, user.id), f"{role} token")
        ids[f"token_{role}"] = db.session.query(ApiToken).filter_by(user_id=user.id).one().id
    ids["other_token"] = ids.pop("token_other")
    admin = db.session.get(User, users["admin"].id)
    ids["invited"] = services.invite_user(admin, "pending@example.test", "Pending", "rep")[0].id


def _request(client, method, url, body, is_api):
    pdf = corpus_file(SAMPLE_PDF)
    if body == "upload":
        return client.post(url, **multipart({"csrf_token": csrf_token(client),
                                             "files": [(pdf, "new.pdf")], "status": "draft"}))
    if body == "version":
        return client.post(url, **multipart({"csrf_token": csrf_token(client),
                                             "file": (pdf, "v2.pdf")}))
    if body in ("deal-import", "api-deal-import"):
        export = b'"Opportunity Name","Stage","Close Date","Opportunity ID"\n' \
                 b'"Imported","Prospecting","2030-02-01","0065g00000ZZZZ9"\n'
        fields = {"file": (export, "report.csv"), "mode": "all_or_nothing"}
        if body == "deal-import":
            return client.post(url, **multipart({"csrf_token": csrf_token(client), **fields}))
        return client.post(url, headers={"X-CSRFToken": csrf_token(client)},
                           **multipart(fields))
    if body in ("api-upload", "api-version"):
        return client.post(url, headers={"X-CSRFToken": csrf_token(client)},
                           **multipart({"file": (pdf, "api.pdf")}))
    if is_api:
        headers = {"X-CSRFToken": csrf_token(client)} if method != "GET" else {}
        return client.open(url, method=method, json=body, headers=headers)
    data = dict(body or {}, csrf_token=csrf_token(client)) if method == "POST" else None
    return client.open(url, method=method, data=data)


@pytest.mark.parametrize("role", ROLES)
def test_each_route_for_each_role(app, world, role):
    users, ids, hashes, searches = world
    wrong = []
    for _endpoint, method, template, allowed, body in TABLE:
        client = app.test_client()  # fresh session per call: logout and password change end it
        if role != "anonymous":
            assert login(client, users[role].email).status_code == 302
        url = template.format(**ids, search=searches.get(role, 1),
                              token=ids.get(f"token_{role}", 1))
        if isinstance(body, dict):
            body = {key: [int(str(v).format(**ids)) for v in value] if isinstance(value, list)
                    else str(value).format(**ids) for key, value in body.items()}
        is_api = url.startswith("/api/")
        response = _request(client, method, url, body, is_api)
        status = response.status_code
        response.close()  # release streamed downloads' open file handles
        expected = _expected(role, allowed, is_api)
        if not expected(status):
            wrong.append(f"{role} {method} {url}: got {status}")
        _restore_world(app, ids, hashes)
    assert not wrong, "\n".join(wrong)


def _expected(role, allowed, is_api):
    if role == "anonymous":
        return (lambda s: s == 401) if is_api else (lambda s: s == 302)
    if role in allowed:
        # Success or a redirect after success; a 400 or 422 means the call never got through.
        return lambda s: 200 <= s < 400
    return lambda s: s in (403, 404)


def _restore_world(app, ids, hashes):
    """Undo what an allowed call changed, so each call meets the same world."""
    from app.auth.models import ApiToken, User
    from app.collections.models import Collection, CollectionItem
    from app.library.models import Asset

    with app.app_context():
        if db.session.get(Collection, ids["collection"]) is None:
            owner_id = db.session.get(Asset, ids["asset"]).owner_id
            db.session.add(Collection(id=ids["collection"], title="Healthcare kit",
                                      status="published", owner_id=owner_id))
            db.session.add(CollectionItem(collection_id=ids["collection"],
                                          asset_id=ids["asset"], position=0))
        asset = db.session.get(Asset, ids["asset"])
        asset.status = "published"
        for user in db.session.query(User):
            user.active = True
            user.password_hash = hashes.get(user.id, user.password_hash)
        other = db.session.get(User, ids["other"])
        other.role = "rep"
        db.session.query(User).filter_by(email="invitee@example.test").delete()
        db.session.query(ApiToken).update({"revoked_at": None})
        _restore_forks(ids)
        _restore_link(ids)
        db.session.commit()


def _restore_forks(ids):
    from app.forks.models import Fork, Suggestion, VersionFields
    from app.library.models import Asset, AssetVersion

    db.session.query(Fork).filter(Fork.id.notin_([ids["fork"], ids["behind"]])).delete()
    db.session.query(Suggestion).filter(Suggestion.id != ids["suggestion"]).delete()
    db.session.query(Suggestion).update({"status": "pending", "reply": "",
                                         "decided_by_id": None, "decided_at": None,
                                         "result_version_id": None})
    for fork_id, body, version in ((ids["fork"], ids["fork_body"], ids["template_version"]),
                                   (ids["behind"], ids["behind_body"], ids["behind_version"])):
        fork = db.session.get(Fork, fork_id)
        fork.body, fork.source_version_id, fork.values = body, version, {}
    template = db.session.get(Asset, ids["template"])
    if template.current_version_id != ids["template_version"]:  # an accepted suggestion
        newer = template.current_version_id
        template.current_version_id = ids["template_version"]
        db.session.flush()
        db.session.query(VersionFields).filter_by(version_id=newer).delete()
        db.session.query(AssetVersion).filter_by(id=newer).delete()
