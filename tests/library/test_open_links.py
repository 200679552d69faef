"""Which "Open" the asset page offers: PDFs go to the in-app viewer, other inert types open
inline (the list of inert types is app.library.filetypes' alone), anything else only downloads."""

import io
import re

import pytest
from helpers import SAMPLE_DOCX, SAMPLE_PDF, corpus_file, upload_asset


def png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def upload(client, api_token):
    _, headers = api_token("marketer")

    def create(data, name):
        response = upload_asset(client, headers, data, name, status="published")
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    return create


def open_links(client, asset_id) -> list[str]:
    html = client.get(f"/assets/{asset_id}").get_data(as_text=True)
    return re.findall(r'<a class="button"[^>]*href="([^"]+)"[^>]*>Open</a>', html)


@pytest.mark.parametrize("kind", ["pdf", "png", "html", "svg", "docx"])
def test_open_goes_where_the_file_can_be_shown(client, upload, login_as, kind):
    files = {"pdf": (corpus_file(SAMPLE_PDF), "a.pdf"), "png": (png(), "a.png"),
             "html": (b"<!doctype html><p>Hi</p>", "a.html"),
             "svg": (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "a.svg"),
             "docx": (corpus_file(SAMPLE_DOCX), "a.docx")}
    asset_id = upload(*files[kind])
    login_as("rep")
    expected = {"pdf": [f"/assets/{asset_id}/versions/1/view"],
                "png": [f"/assets/{asset_id}/versions/1/download?inline=1"]}
    assert open_links(client, asset_id) == expected.get(kind, [])


def test_viewer_page_is_for_pdfs_only(client, upload, login_as):
    pdf, image = upload(corpus_file(SAMPLE_PDF), "a.pdf"), upload(png(), "a.png")
    login_as("leader")
    page = client.get(f"/assets/{pdf}/versions/1/view")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'data-src="/assets/{pdf}/versions/1/download?stream=1"' in html
    assert '<script type="module" src="/static/js/pdf-viewer.js"></script>' in html
    assert "sandbox" not in page.headers["Content-Security-Policy"]
    assert client.get(f"/assets/{image}/versions/1/view").status_code == 404
    assert client.get(f"/assets/{pdf}/versions/2/view").status_code == 404


def test_vendored_pdfjs_is_served_as_javascript(client, login_as):
    login_as("rep")
    for name in ("vendor/pdfjs-dist/pdf.min.mjs", "vendor/pdfjs-dist/pdf.worker.min.mjs",
                 "js/pdf-viewer.js"):
        response = client.get(f"/static/{name}")
        assert response.status_code == 200, name
        # Module scripts and workers load only with a JavaScript MIME type (nosniff is on).
        assert response.mimetype == "text/javascript", name
        response.close()
