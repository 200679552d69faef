"""CSV imports end to end: POST /api/v1/deals/imports and the preview-then-confirm pages.
Files are built here byte for byte; the expected counts are worked out by hand."""

from __future__ import annotations

import re

import pytest
from helpers import csrf_token, login, multipart

from app.extensions import db

# A Salesforce opportunity report as Salesforce writes it: BOM, quoted cells, an embedded line
# break, a blank row and the trailer.
REPORT = ('\ufeff"Opportunity Owner","Account Name","Opportunity Name","Stage","Amount Currency",'
          '"Amount","Close Date","Created Date","Opportunity ID"\r\n'
          '"Dana Rep","Acme Corp","Acme renewal","Closed Won","USD","184,500.00","3/15/2026",'
          '"1/2/2026","0065g00000QkR2m"\r\n'
          '"Dana Rep","Beta GmbH","Beta\nrollout","Proposal/Price Quote","EUR","9,500.00",'
          '"4/30/2026","1/20/2026","0065g00000QkR2M"\r\n'
          '"Nobody Known","Gamma","Gamma pilot","Prospecting","USD","","6/30/2026","2/1/2026",'
          '"0065g00000QkR3a"\r\n'
          '\r\n'
          '"Grand Totals (3 records)","","","","","194,000.00","","",""\r\n'
          '"Confidential Information - Do Not Distribute"\r\n'
          '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."\r\n')

# The same Acme opportunity from Data Loader: its 18-character id, newer, now with an e-mail.
DATALOADER = ('"ID","NAME","ACCOUNT.NAME","OWNER.EMAIL","AMOUNT","CURRENCYISOCODE","STAGENAME",'
              '"ISCLOSED","ISWON","CLOSEDATE","CREATEDDATE","LASTMODIFIEDDATE"\n'
              '"0065g00000QkR2mAAF","Acme renewal (signed)","Acme Corp","dana@example.test",'
              '"190000.0","USD","Closed Won","true","true","2026-03-15",'
              '"2026-01-02T09:14:33.000Z","2026-03-16T10:00:00.000+0000"\n')

# A German Excel re-save: cp1252, semicolons, € as byte 0x80, day-first dates.
GERMAN = ("Opportunity ID;Opportunity Name;Stage;Amount;Close Date;Account Name\r\n"
          "0065g00000ZzZ1a;Großkunde € Paket;Verloren;12.345,67;14.02.2026;Müller AG\r\n")


@pytest.fixture
def admin(api_token):
    return api_token("admin")


def send(client, headers, content, name="export.csv", **fields):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return client.post("/api/v1/deals/imports", headers=headers,
                       **multipart({"file": (data, name), **fields}))


def deals(app):
    from app.deals.models import Deal

    with app.app_context():
        rows = db.session.query(Deal).order_by(Deal.external_id).all()
        return {d.external_id: (d.name, d.status, str(d.amount) if d.amount is not None
                                else None, d.currency, d.owner.name if d.owner else None,
                                d.pipeline_stage.name) for d in rows}


def test_a_salesforce_report_imports_and_reimports_unchanged(client, admin, make_user, app):
    _, headers = admin
    make_user("rep", email="dana@example.test", name="Dana Rep")
    response = send(client, headers, REPORT, locale="en_US")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["source"], body["imported"], body["created"], body["updated"],
            body["unchanged"], body["rejected"]) == ("salesforce_report", 3, 3, 0, 0, [])
    assert body["warnings"] == [{"row": 3, "reason": "unknown owner 'Nobody Known': the deal "
                                                     "is imported unassigned"}]
    assert deals(app) == {
        "0065g00000QkR2MAAV": ("Beta\nrollout", "open", "9500.00", "EUR", "Dana Rep",
                               "Proposal"),
        "0065g00000QkR2mAAF": ("Acme renewal", "won", "184500.00", "USD", "Dana Rep",
                               "Closed Won"),
        "0065g00000QkR3aAAF": ("Gamma pilot", "open", None, "USD", None, "Prospecting"),
    }
    again = send(client, headers, REPORT, locale="en_US").get_json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)


def test_report_and_data_loader_ids_are_the_same_deal(client, admin, make_user, app):
    _, headers = admin
    make_user("rep", email="dana@example.test", name="Dana Rep")
    assert send(client, headers, REPORT, locale="en_US").status_code == 200
    body = send(client, headers, DATALOADER).get_json()
    assert (body["source"], body["created"], body["updated"]) == ("salesforce_dataloader", 0, 1)
    assert deals(app)["0065g00000QkR2mAAF"] == ("Acme renewal (signed)", "won", "190000.00",
                                                "USD", "Dana Rep", "Closed Won")
    assert len(deals(app)) == 3


def test_a_german_excel_file_with_a_stage_map(client, admin, app):
    _, headers = admin
    refused = send(client, headers, GERMAN.encode("cp1252"), source="salesforce_report",
                   locale="de_DE")
    assert refused.status_code == 422
    assert refused.get_json()["error"]["details"]["rejected"][0]["row"] == 1
    assert deals(app) == {}
    body = send(client, headers, GERMAN.encode("cp1252"), source="salesforce_report",
                locale="de_DE", stage_map='{"Verloren": "lost", "*": "open"}').get_json()
    assert (body["created"], body["new_stages"]) == (1, ["Verloren"])
    assert deals(app) == {"0065g00000ZzZ1aAAF": ("Großkunde € Paket", "lost", "12345.67",
                                                 None, None, "Verloren")}


BAD_ROWS = ('"Opportunity Name","Stage","Amount","Close Date","Opportunity ID"\n'
            '"Good one","Prospecting","1,000.00","2026-05-01","0065g00000AAAA1"\n'
            '"Symbol","Prospecting","€9,500.00","2026-05-01","0065g00000AAAA2"\n'
            '"Ambiguous","Prospecting","10","03/04/2026","0065g00000AAAA3"\n'
            '"Good two","Discovery","","2026-05-02","0065g00000AAAA4"\n')


def test_all_or_nothing_refuses_the_file_and_names_every_bad_row(client, admin, app):
    _, headers = admin
    response = send(client, headers, BAD_ROWS)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["message"] == "2 row(s) were rejected, so nothing was imported."
    assert [r["row"] for r in error["details"]["rejected"]] == [2, 3]
    assert "€9,500.00" in error["details"]["rejected"][0]["reason"]
    assert "03/04/2026" in error["details"]["rejected"][1]["reason"]
    assert deals(app) == {}


def test_valid_rows_mode_imports_the_rest(client, admin, app):
    _, headers = admin
    body = send(client, headers, BAD_ROWS, mode="valid_rows").get_json()
    assert (body["imported"], body["created"]) == (2, 2)
    assert [r["row"] for r in body["rejected"]] == [2, 3]
    assert sorted(deals(app)) == ["0065g00000AAAA1AAP", "0065g00000AAAA4AAP"]


def test_a_dry_run_answers_like_the_real_run_and_writes_nothing(client, admin, app):
    _, headers = admin
    content = REPORT.replace('"Gamma pilot","Prospecting"', '"Gamma pilot","Tech Validation"')
    body = send(client, headers, content, locale="en_US", dry_run="true").get_json()
    assert (body["dry_run"], body["created"], body["imported"]) == (True, 3, 3)
    assert body["new_stages"] == ["Tech Validation"]
    assert deals(app) == {}
    from app.deals.models import Account, PipelineStage

    with app.app_context():
        assert db.session.query(PipelineStage).filter_by(key="tech validation").count() == 0
        assert db.session.query(Account).count() == 0


@pytest.mark.parametrize(("content", "fields", "message"), [
    (b"", {}, "empty"),
    (bytes(range(256)) * 4000, {}, None),
    ('"Opportunity Name","Stage"\n"A","Prospecting"\n', {}, "close date"),
    (REPORT, {"stage_map": "{not json"}, "stage_map is not valid JSON."),
    (REPORT, {"stage_map": '{"Won": "maybe"}'}, None),
    (REPORT, {"source": "excel"}, None),
    (REPORT, {"locale": "../../etc"}, None),
    (REPORT, {"mode": "some"}, None),
])
def test_whole_file_problems_are_422_with_a_message(client, admin, app, content, fields,
                                                    message):
    _, headers = admin
    response = send(client, headers, content, **fields)
    assert response.status_code == 422, response.get_json()
    if message:
        assert message in response.get_json()["error"]["message"]
    assert deals(app) == {}


def test_only_admins_import(client, api_token, app):
    for role in ("rep", "leader", "marketer"):
        _, headers = api_token(role)
        assert send(client, headers, REPORT).status_code == 403
    assert client.post("/api/v1/deals/imports").status_code == 401
    assert deals(app) == {}


def test_the_import_page_previews_then_imports(client, login_as, make_user, app):
    admin = login_as("admin")
    make_user("rep", email="dana@example.test", name="Dana Rep")
    page = client.post("/admin/deals/import", **multipart({
        "csrf_token": csrf_token(client), "file": (REPORT.encode(), "report.csv"),
        "source": "auto", "locale": "en_US", "stage_map": "", "mode": "all_or_nothing"}))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Salesforce report" in html and "<code>Opportunity ID</code>" in html
    assert re.search(r"<dt>New deals</dt><dd>3</dd>", html)
    assert deals(app) == {}  # a preview writes nothing
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1)
    done = client.post("/admin/deals/import/confirm", data={
        "csrf_token": csrf_token(client), "token": token, "source": "auto", "locale": "en_US",
        "stage_map": "", "mode": "all_or_nothing"})
    assert done.status_code == 200
    assert re.search(r"<dt>New deals</dt><dd>3</dd>", done.get_data(as_text=True))
    assert len(deals(app)) == 3
    # The pending file is gone once imported; a replay or a forged token finds nothing.
    replay = client.post("/admin/deals/import/confirm", data={
        "csrf_token": csrf_token(client), "token": token, "mode": "all_or_nothing"})
    assert replay.status_code == 302
    assert len(deals(app)) == 3 and admin.role == "admin"


def test_another_admin_cannot_confirm_someone_elses_upload(client, app, make_user):
    first, second = make_user("admin"), make_user("admin")
    assert login(client, first.email).status_code == 302
    html = client.post("/admin/deals/import", **multipart({
        "csrf_token": csrf_token(client), "file": (REPORT.encode(), "r.csv"),
        "source": "auto", "locale": "en_US", "mode": "all_or_nothing"})).get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1)
    other = app.test_client()
    assert login(other, second.email).status_code == 302
    response = other.post("/admin/deals/import/confirm", data={
        "csrf_token": csrf_token(other), "token": token, "mode": "all_or_nothing"})
    assert response.status_code == 302
    assert deals(app) == {}
    for forged in ("../../etc/passwd", "x" * 200, token + "\x00"):
        response = client.post("/admin/deals/import/confirm", data={
            "csrf_token": csrf_token(client), "token": forged, "mode": "all_or_nothing"})
        assert response.status_code == 302
    assert deals(app) == {}


def test_warnings_past_a_thousand_are_counted_not_kept(client, admin, app):
    """1,200 rows, each with an owner nobody knows: every deal is imported, the answer lists the
    first 1,000 warnings and counts all 1,200."""
    _, headers = admin
    lines = ["Opportunity ID,Opportunity Name,Stage,Close Date,Owner Email"]
    lines += [f"0065g0000{n:06d},Deal {n},Prospecting,2030-01-31,ghost{n}@example.test"
              for n in range(1200)]
    body = send(client, headers, "\n".join(lines) + "\n").get_json()
    assert (body["imported"], body["created"]) == (1200, 1200), body.get("error")
    assert (len(body["warnings"]), body["warned_rows"]) == (1000, 1200)
    assert [w["row"] for w in body["warnings"][:3]] == [1, 2, 3]
    assert "unknown owner 'ghost0@example.test'" in body["warnings"][0]["reason"]
    assert (body["rejected"], body["rejected_rows"]) == ([], 0)


def test_the_preview_lists_rejected_rows_by_record_number(client, login_as, app):
    login_as("admin")
    page = client.post("/admin/deals/import", **multipart({
        "csrf_token": csrf_token(client), "file": (BAD_ROWS.encode(), "bad.csv"),
        "source": "auto", "locale": "", "stage_map": "", "mode": "all_or_nothing"}))
    html = page.get_data(as_text=True)
    assert page.status_code == 200, html
    rows = re.findall(r"<td class=\"num\">(\d+)</td><td>(.*?)</td>", html)
    assert [row for row, _ in rows] == ["2", "3"], rows
    assert "€9,500.00" in rows[0][1] and "03/04/2026" in rows[1][1]
    assert deals(app) == {}
