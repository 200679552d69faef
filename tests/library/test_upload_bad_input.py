"""Hostile and broken uploads: a clear error or a safe result, and nothing half-written."""

import io
import zipfile

import pytest
from helpers import SAMPLE_PDF, blob_files, corpus_file, csrf_token, multipart, upload_asset
from sqlalchemy import func, select

from app.extensions import db
from app.library.models import Asset, AssetVersion


def counts(app):
    with app.app_context():
        assets = db.session.scalar(select(func.count()).select_from(Asset))
        versions = db.session.scalar(select(func.count()).select_from(AssetVersion))
    return assets, versions, len(blob_files(app))


@pytest.fixture
def marketer(api_token):
    return api_token("marketer")[1]


def assert_refused(app, client, headers, data, filename, expect_status, expect_code, **fields):
    before = counts(app)
    response = upload_asset(client, headers, data, filename, **fields)
    assert response.status_code == expect_status, response.get_data(as_text=True)[:500]
    error = response.get_json()["error"]
    assert error["code"] == expect_code and error["message"]
    assert counts(app) == before
    return error


def test_empty_file(app, client, marketer):
    error = assert_refused(app, client, marketer, b"", "empty.pdf", 422, "validation_failed")
    assert "empty" in error["message"].lower()


def test_missing_file_field(app, client, marketer):
    response = client.post("/api/v1/assets", data={"title": "No file"}, headers=marketer,
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "file" in response.get_json()["error"]["details"]


def test_json_body_instead_of_multipart(client, marketer):
    response = client.post("/api/v1/assets", json={"file": "aGVsbG8="}, headers=marketer)
    assert response.status_code == 422


def test_oversize_upload_is_413_json(app, client, marketer):
    limit = app.config["MAX_UPLOAD_BYTES"]
    error = assert_refused(app, client, marketer, b"x" * (limit + 1), "big.txt", 413,
                           "payload_too_large")
    assert "MB" in error["message"]


def test_request_beyond_content_length_limit_is_413(app, client, marketer):
    too_big = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    before = counts(app)
    response = upload_asset(client, marketer, too_big, "huge.txt")
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"
    assert counts(app) == before


@pytest.mark.parametrize("data,filename", [
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "quarterly.pdf"),
    (b"%PDF-1.4\n%%EOF\n", "deck.pptx"),
    (b"\x7fELF\x02\x01\x01" + b"\x00" * 64, "report.pdf"),
    (b"MZ\x90\x00" + b"\x00" * 64, "setup.docx"),
    (bytes(range(256)) * 4, "sheet.xlsx"),
])
def test_bytes_that_contradict_the_extension(app, client, marketer, data, filename):
    error = assert_refused(app, client, marketer, data, filename, 422, "validation_failed")
    assert error["details"] == {"file": "content_mismatch"}


def test_unknown_stage_and_status_rejected_before_anything_is_stored(app, client, marketer):
    pdf = corpus_file(SAMPLE_PDF)
    error = assert_refused(app, client, marketer, pdf, "a.pdf", 422, "validation_failed",
                           stage="negotiation")
    assert "stage" in error["details"]
    assert_refused(app, client, marketer, pdf, "a.pdf", 422, "validation_failed",
                   status="deleted")
    assert_refused(app, client, marketer, pdf, "a.pdf", 422, "validation_failed",
                   review_by="next tuesday")


@pytest.mark.parametrize("field,value", [("kind", "video"), ("owner_id", "1"),
                                         ("stgae", "closing")])
def test_fields_the_upload_does_not_take_are_refused(app, client, marketer, field, value):
    """Kind is derived from the bytes and the owner is the caller; a client-supplied one (or a
    misspelt field) is refused with the field named, and nothing is stored."""
    error = assert_refused(app, client, marketer, corpus_file(SAMPLE_PDF), "a.pdf", 422,
                           "validation_failed", **{field: value})
    assert error["details"] == {field: ["Unknown field."]}


def test_version_upload_refuses_unknown_fields(app, client, marketer):
    asset = upload_asset(client, marketer, corpus_file(SAMPLE_PDF), "a.pdf").get_json()
    before = counts(app)
    response = client.post(f"/api/v1/assets/{asset['id']}/versions", headers=marketer,
                           **multipart({"file": (corpus_file(SAMPLE_PDF), "b.pdf"),
                                        "number": "9"}))
    assert response.status_code == 422
    assert response.get_json()["error"]["details"] == {"number": ["Unknown field."]}
    assert counts(app) == before


def test_long_unicode_and_traversal_file_names_are_made_safe(app, client, marketer):
    pdf = corpus_file(SAMPLE_PDF)
    long_name = ("Ünïcödé-名前-" * 40)[:300] + ".pdf"
    body = upload_asset(client, marketer, pdf, long_name).get_json()
    name = body["current_version"]["filename"]
    assert len(name) <= 255 and name.endswith(".pdf") and name.startswith("Ünïcödé")
    body = upload_asset(client, marketer, pdf, "../../../etc/passwd.pdf").get_json()
    assert body["current_version"]["filename"] == "passwd.pdf"
    body = upload_asset(client, marketer, pdf, "..\\..\\windows\\evil.pdf").get_json()
    name = body["current_version"]["filename"]
    assert name.endswith("evil.pdf") and "\\" not in name and "/" not in name
    root = app.config["STORAGE_LOCAL_ROOT"]
    assert all(str(path).startswith(root) for path in blob_files(app))


def test_zip_bomb_disguised_as_docx_is_stored_without_text(app, client, marketer):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://'
                         'schemas.openxmlformats.org/package/2006/content-types"><Override '
                         'PartName="/word/document.xml" ContentType="application/vnd.openxml'
                         'formats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        with archive.open("word/document.xml", "w") as member:
            zeros = b"\x00" * (1024 * 1024)
            for _ in range(400):
                member.write(zeros)
    data = buffer.getvalue()
    assert len(data) < app.config["MAX_UPLOAD_BYTES"]
    response = upload_asset(client, marketer, data, "contract.docx")
    assert response.status_code == 201
    version = response.get_json()["current_version"]
    assert "expands" in version["text_note"]
    with app.app_context():
        assert db.session.get(AssetVersion, 1).text == ""


def test_pdf_whose_page_tree_loops_gives_a_note_not_a_hang(app, client, marketer):
    looping = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
               b"2 0 obj<</Type/Pages/Kids[2 0 R]/Count 1>>endobj\n"
               b"trailer<</Root 1 0 R>>\n%%EOF\n")
    response = upload_asset(client, marketer, looping, "loop.pdf")
    assert response.status_code == 201
    version = response.get_json()["current_version"]
    assert version["text_note"]


def test_truncated_pdf_is_kept_with_a_note(client, marketer):
    data = corpus_file(SAMPLE_PDF)[:2000]
    response = upload_asset(client, marketer, data, "cut.pdf")
    assert response.status_code == 201
    assert response.get_json()["current_version"]["text_note"]


def test_markup_in_metadata_is_stored_as_text_and_escaped(client, marketer, login_as):
    title = '<script>alert("x")</script> Q3 deck'
    body = upload_asset(client, marketer, corpus_file(SAMPLE_PDF), "x.pdf", title=title,
                        description="'; DROP TABLE asset; --").get_json()
    assert body["title"] == title
    login_as("marketer")
    page = client.get(f"/assets/{body['id']}").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    assert client.get("/?q=%27%20OR%201%3D1%20--").status_code == 200


def test_failed_commit_leaves_only_an_orphan_blob_that_gc_removes(app, client, marketer,
                                                                  monkeypatch):
    from app.library import services

    def broken_commit():
        raise RuntimeError("database went away")

    client.get("/api/v1/me", headers=marketer)  # the token's first use commits; get it done
    before_assets, before_versions, before_blobs = counts(app)
    with app.app_context():
        monkeypatch.setattr(services.db.session, "commit", broken_commit)
        response = upload_asset(client, marketer, corpus_file(SAMPLE_PDF), "doomed.pdf")
        monkeypatch.undo()
    assert response.status_code == 500
    assert "Traceback" not in response.get_data(as_text=True)
    assets, versions, blobs = counts(app)
    assert (assets, versions) == (before_assets, before_versions)
    assert blobs > before_blobs  # the blob was written first, as designed
    result = app.test_cli_runner().invoke(args=["storage", "gc", "--grace-minutes", "0"])
    assert result.exit_code == 0, result.output
    assert "deleted 2" in result.output  # the file and its thumbnail
    assert counts(app)[2] == before_blobs


def test_failed_commit_of_a_new_version_leaves_no_version_row(app, client, marketer,
                                                             monkeypatch):
    """One unit of work, one commit: if the commit fails, the next version must not exist.
    (On SQLite this needs app.core.db's BEGIN before a first SAVEPOINT.)"""
    from app.library import services

    asset = upload_asset(client, marketer, corpus_file(SAMPLE_PDF), "a.pdf").get_json()

    def broken_commit():
        raise RuntimeError("database went away")

    with app.app_context():
        monkeypatch.setattr(services.db.session, "commit", broken_commit)
        response = client.post(f"/api/v1/assets/{asset['id']}/versions", headers=marketer,
                               **multipart({"file": (corpus_file(SAMPLE_PDF) + b"\n", "b.pdf")}))
        monkeypatch.undo()
    assert response.status_code == 500
    listed = client.get(f"/api/v1/assets/{asset['id']}/versions", headers=marketer).get_json()
    assert [v["number"] for v in listed] == [1]


def test_every_version_row_points_at_a_stored_blob(app, client, marketer):
    from app.storage.flask import get_storage

    pdf = corpus_file(SAMPLE_PDF)
    body = upload_asset(client, marketer, pdf, "a.pdf").get_json()
    upload_asset(client, marketer, b"", "b.pdf")
    upload_asset(client, marketer, b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "c.pdf")
    client.post(f"/api/v1/assets/{body['id']}/versions/1/restore", headers=marketer)
    app.test_cli_runner().invoke(args=["storage", "gc", "--grace-minutes", "0"])
    with app.app_context():
        storage = get_storage()
        for version in db.session.scalars(select(AssetVersion)):
            assert storage.exists(version.storage_key)
            assert version.thumbnail_key is None or storage.exists(version.thumbnail_key)


class TestHtmlUploadForm:
    @pytest.fixture(autouse=True)
    def signed_in(self, login_as):
        login_as("marketer")

    def post(self, client, files, **fields):
        data = {"csrf_token": csrf_token(client), "status": "draft", **fields,
                "files": list(files)}
        return client.post("/assets/new", **multipart(data))

    def test_no_files(self, client):
        response = self.post(client, [])
        assert response.status_code == 422
        assert "Choose at least one file." in response.get_data(as_text=True)

    def test_mixed_good_and_bad_files(self, app, client):
        pdf = corpus_file(SAMPLE_PDF)
        response = self.post(client, [(pdf, "good.pdf"), (b"", "empty.pdf"),
                                      (b"\x89PNG\r\n\x1a\n" + b"\0" * 9, "liar.pdf")])
        assert response.status_code == 302
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "empty.pdf: The file is empty." in page
        assert "liar.pdf:" in page
        assert counts(app)[:2] == (1, 1)

    def test_oversize_gets_a_readable_413_page(self, app, client):
        too_big = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 10)
        response = self.post(client, [(too_big, "huge.txt")])
        assert response.status_code == 413
        assert "<html" in response.get_data(as_text=True)

    def test_bad_stage_in_form(self, app, client):
        response = self.post(client, [(corpus_file(SAMPLE_PDF), "a.pdf")], stage="nope")
        assert response.status_code == 422
        assert counts(app)[:2] == (0, 0)
