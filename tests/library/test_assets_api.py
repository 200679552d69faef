"""/api/v1/assets: metadata, roles, ownership, filters, pagination, versions and downloads."""

import hashlib
import io

import pytest
from helpers import SAMPLE_DOCX, SAMPLE_PDF, blob_files, corpus_file, upload_asset


@pytest.fixture
def marketer(api_token):
    return api_token("marketer")


@pytest.fixture
def pdf_bytes():
    return corpus_file(SAMPLE_PDF)


def create(client, headers, data, filename="deck.pdf", **fields):
    response = upload_asset(client, headers, data, filename, **fields)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_create_returns_metadata_and_current_version(client, marketer, pdf_bytes):
    user, headers = marketer
    body = create(
        client,
        headers,
        pdf_bytes,
        "Q3 one-pager.pdf",
        title="Q3 one-pager",
        stage="evaluation",
        persona="CFO",
        industry="Healthcare",
        product="Cloud",
        tags="ROI, hipaa , roi",
        review_by="2030-01-31",
        description="For CFOs.",
    )
    assert body["title"] == "Q3 one-pager"
    assert body["kind"] == "pdf" and body["stage"] == "evaluation" and body["status"] == "draft"
    assert body["tags"] == ["hipaa", "roi"]
    assert body["owner"] == {"id": user.id, "name": user.name}
    assert body["review_by"] == "2030-01-31" and body["is_stale"] is False
    version = body["current_version"]
    assert version["number"] == 1
    assert version["sha256"] == hashlib.sha256(pdf_bytes).hexdigest()
    assert version["size"] == len(pdf_bytes)
    assert version["content_type"] == "application/pdf"
    assert version["filename"] == "Q3 one-pager.pdf"
    assert version["page_count"] == 4


def test_title_defaults_to_file_name_and_stale_flag(client, marketer, pdf_bytes):
    _, headers = marketer
    body = create(client, headers, pdf_bytes, "healthcare_case-study.pdf", review_by="2020-01-01")
    assert body["title"] == "healthcare case study"
    assert body["is_stale"] is True


def test_reps_and_leaders_see_published_only(client, marketer, api_token, pdf_bytes):
    _, m_headers = marketer
    draft = create(client, m_headers, pdf_bytes, "draft.pdf")
    published = create(client, m_headers, pdf_bytes, "live.pdf", status="published")
    for role in ("rep", "leader"):
        _, headers = api_token(role)
        listed = client.get("/api/v1/assets", headers=headers).get_json()
        assert [a["id"] for a in listed["items"]] == [published["id"]]
        assert listed["total"] == 1
        assert client.get(f"/api/v1/assets/{draft['id']}", headers=headers).status_code == 404
        assert client.get(f"/api/v1/assets/{published['id']}", headers=headers).status_code == 200
    listed = client.get("/api/v1/assets", headers=m_headers).get_json()
    assert listed["total"] == 2


@pytest.mark.parametrize("role", ["rep", "leader"])
def test_reps_and_leaders_cannot_write(client, marketer, api_token, pdf_bytes, role):
    _, m_headers = marketer
    asset = create(client, m_headers, pdf_bytes, status="published")
    _, headers = api_token(role)
    assert upload_asset(client, headers, pdf_bytes, "x.pdf").status_code == 403
    url = f"/api/v1/assets/{asset['id']}"
    assert client.patch(url, json={"title": "x"}, headers=headers).status_code == 403
    assert client.delete(url, headers=headers).status_code == 403
    versions = client.post(
        url + "/versions",
        headers=headers,
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(pdf_bytes), "v2.pdf")},
    )
    assert versions.status_code == 403
    assert client.post(url + "/versions/1/restore", headers=headers, json={}).status_code == 403
    assert client.get(url + "/versions", headers=headers).status_code == 403


def test_only_owner_or_admin_edits(client, marketer, api_token, pdf_bytes):
    _, owner_headers = marketer
    asset = create(client, owner_headers, pdf_bytes)
    url = f"/api/v1/assets/{asset['id']}"
    _, other = api_token("marketer")
    assert client.get(url, headers=other).status_code == 200  # marketers see drafts
    assert client.patch(url, json={"title": "Hijack"}, headers=other).status_code == 403
    _, admin = api_token("admin")
    response = client.patch(
        url, json={"title": "Fixed by admin", "tags": ["a", "b"]}, headers=admin
    )
    assert response.status_code == 200
    assert response.get_json()["title"] == "Fixed by admin"
    assert response.get_json()["tags"] == ["a", "b"]


@pytest.mark.parametrize(
    "patch,field",
    [
        ({"stage": "negotiation"}, "stage"),
        ({"status": "deleted"}, "status"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"tags": ["t"] * 21}, "tags"),
        ({"review_by": "31/12/2030"}, "review_by"),
        ({"kind": "pdf"}, "kind"),
        ({"owner_id": 1}, "owner_id"),
        ({"persona": "CFO\x00"}, "persona"),
    ],
)
def test_patch_rejects_bad_fields_with_details(client, marketer, pdf_bytes, patch, field):
    _, headers = marketer
    asset = create(client, headers, pdf_bytes)
    response = client.patch(f"/api/v1/assets/{asset['id']}", json=patch, headers=headers)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert field in str(error["details"])
    again = client.get(f"/api/v1/assets/{asset['id']}", headers=headers).get_json()
    assert again["title"] == asset["title"] and again["stage"] == asset["stage"]


def test_patch_with_broken_json(client, marketer, pdf_bytes):
    _, headers = marketer
    asset = create(client, headers, pdf_bytes)
    response = client.patch(
        f"/api/v1/assets/{asset['id']}",
        data="{not json",
        headers={**headers, "Content-Type": "application/json"},
    )
    assert response.status_code in (400, 422)
    assert "error" in response.get_json()


def test_delete_archives_and_keeps_history(client, marketer, api_token, pdf_bytes):
    _, headers = marketer
    asset = create(client, headers, pdf_bytes, status="published")
    response = client.delete(f"/api/v1/assets/{asset['id']}", headers=headers)
    assert response.status_code == 200 and response.get_json()["status"] == "archived"
    assert client.get(f"/api/v1/assets/{asset['id']}/versions", headers=headers).status_code == 200
    _, rep = api_token("rep")
    assert client.get(f"/api/v1/assets/{asset['id']}", headers=rep).status_code == 404


def test_filters_and_pagination(client, marketer, pdf_bytes):
    _, headers = marketer
    docx = corpus_file(SAMPLE_DOCX)
    for n in range(5):
        create(client, headers, pdf_bytes, f"p{n}.pdf", stage="awareness", tags="alpha")
    create(
        client,
        headers,
        docx,
        "battlecard.docx",
        stage="closing",
        persona="CFO",
        industry="Retail",
        tags="beta",
    )
    get = lambda q: client.get("/api/v1/assets" + q, headers=headers).get_json()  # noqa: E731
    assert get("?stage=awareness")["total"] == 5
    assert get("?kind=document")["items"][0]["title"] == "battlecard"
    assert get("?tag=BETA")["total"] == 1
    assert get("?persona=CFO&industry=Retail")["total"] == 1
    assert get("?q=battle")["total"] == 1
    page = get("?per_page=2&page=3&sort=title")
    assert (page["total"], page["pages"], page["page"], len(page["items"])) == (6, 3, 3, 2)
    assert get("?q=%25")["total"] == 0  # LIKE wildcards are literal


@pytest.mark.parametrize(
    "query",
    [
        "?kind=banana",
        "?stage=closed",
        "?per_page=0",
        "?per_page=101",
        "?page=abc",
        "?page=0",
        "?stale=maybe",
        "?sort=random()",
        "?owner_id=-1",
    ],
)
def test_bad_list_parameters_are_422(client, marketer, query):
    _, headers = marketer
    response = client.get("/api/v1/assets" + query, headers=headers)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "validation_failed"


def test_versions_add_list_download_restore(client, marketer, api_token, pdf_bytes):
    _, headers = marketer
    asset = create(client, headers, pdf_bytes, status="published")
    url = f"/api/v1/assets/{asset['id']}"
    docx = corpus_file(SAMPLE_DOCX)
    v2 = client.post(
        url + "/versions",
        headers=headers,
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(docx), "v2.docx"), "notes": "Now a Word file"},
    )
    assert v2.status_code == 201 and v2.get_json()["number"] == 2
    current = client.get(url, headers=headers).get_json()
    assert current["current_version"]["number"] == 2 and current["kind"] == "document"
    listed = client.get(url + "/versions", headers=headers).get_json()
    assert [v["number"] for v in listed] == [2, 1]
    assert listed[0]["notes"] == "Now a Word file"

    download = client.get(url + "/versions/1/download", headers=headers)
    assert download.status_code == 200 and download.data == pdf_bytes
    assert download.headers["Content-Disposition"].startswith("attachment")

    restored = client.post(url + "/versions/1/restore", headers=headers, json={"notes": "Back"})
    assert restored.status_code == 201
    body = restored.get_json()
    assert (body["number"], body["restored_from"], body["notes"]) == (3, 1, "Back")
    assert body["sha256"] == hashlib.sha256(pdf_bytes).hexdigest()
    assert [v["number"] for v in client.get(url + "/versions", headers=headers).get_json()] == [
        3,
        2,
        1,
    ]
    assert client.post(url + "/versions/9/restore", headers=headers).status_code == 404

    _, rep = api_token("rep")
    current = client.get(url + "/versions/3/download", headers=rep)
    assert current.status_code == 200 and current.data == pdf_bytes
    assert client.get(url + "/versions/2/download", headers=rep).status_code == 403
    assert client.get(url + "/versions/7/download", headers=headers).status_code == 404


def test_identical_files_are_stored_once(app, client, marketer, pdf_bytes):
    _, headers = marketer
    create(client, headers, pdf_bytes, "a.pdf")
    before = blob_files(app)
    create(client, headers, pdf_bytes, "b.pdf")
    assert blob_files(app) == before


@pytest.mark.parametrize("data,name", [
    (b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>",
     "email.html"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "logo.svg"),
])
def test_html_and_svg_are_never_served_for_rendering(client, marketer, login_as, data, name):
    _, headers = marketer
    asset = create(client, headers, data, name, status="published")
    login_as("rep")  # the web route answers the browser's session
    urls = [f"/assets/{asset['id']}/versions/1/download?inline=1",
            f"/assets/{asset['id']}/versions/1/download",
            f"/api/v1/assets/{asset['id']}/versions/1/download"]
    for url in urls:
        response = client.get(url, headers=headers if url.startswith("/api/") else {})
        assert response.status_code == 200, url
        assert response.headers["Content-Type"] == "application/octet-stream"
        assert response.headers["Content-Disposition"].startswith("attachment;")
        directives = [d.strip() for d in response.headers["Content-Security-Policy"].split(";")]
        assert directives[:2] == ["sandbox", "default-src 'none'"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.get_data() == data
        response.close()


def test_pdf_opens_inline_in_a_sandbox(client, login_as, app, pdf_bytes, marketer):
    _, headers = marketer
    asset = create(client, headers, pdf_bytes, status="published")
    login_as("rep")
    response = client.get(f"/assets/{asset['id']}/versions/1/download?inline=1")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("inline")
    assert response.headers["Content-Security-Policy"].startswith("sandbox")
    assert response.data == pdf_bytes
    thumb = client.get(f"/assets/{asset['id']}/thumbnail")
    assert thumb.status_code == 200 and thumb.data[:8] == b"\x89PNG\r\n\x1a\n"


def test_lone_surrogates_in_json_are_422_not_500(client, marketer, pdf_bytes):
    """Found by schemathesis: JSON may carry lone surrogates, which no database can store."""
    _, headers = marketer
    asset = create(client, headers, pdf_bytes)
    body = '{"title": "Deck \\ud83d", "tags": ["ok", "\\udc2dR"]}'
    response = client.patch(f"/api/v1/assets/{asset['id']}", data=body,
                            headers={**headers, "Content-Type": "application/json"})
    assert response.status_code == 422
    assert set(response.get_json()["error"]["details"]) == {"title", "tags"}


@pytest.mark.parametrize("path", ["/api/v1/assets/548145861097643180032",
                                  "/api/v1/assets/1/versions/99999999999/download",
                                  "/api/v1/assets/0", "/assets/2147483648"])
def test_ids_beyond_the_integer_range_are_404(client, marketer, login_as, path):
    """Found by schemathesis: a huge id overflowed the database integer."""
    _, headers = marketer
    assert client.get(path, headers=headers).status_code == 404


def test_nul_and_control_characters_in_filters_are_harmless(client, marketer):
    """PostgreSQL refuses NUL in text parameters; filters are cleaned, never a 500."""
    _, headers = marketer
    for query in ("?q=deck%00", "?persona=CFO%00x", "?tag=%00", "?industry=%07"):
        response = client.get("/api/v1/assets" + query, headers=headers)
        assert response.status_code == 200 and response.get_json()["total"] == 0
