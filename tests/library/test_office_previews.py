"""Real previews of PowerPoint and Word files: LibreOffice lays them out as PDF at upload, the
thumbnail is page 1, page thumbnails feed slide pickers, and the viewer shows the pages. Without
LibreOffice, or when it hangs or fails, the upload keeps today's text card and stores nothing
extra."""

from __future__ import annotations

import io
import os
import stat

import pytest
from helpers import SAMPLE_DOCX, blob_files, corpus_file, login, multipart, upload_asset
from PIL import Image
from pptx import Presentation
from pptx.dml.color import RGBColor

from app.extensions import db

COLOURS = [(200, 30, 30), (30, 160, 60), (30, 60, 200)]


def coloured_deck() -> bytes:
    """Three slides, each filled with one colour, so a thumbnail shows which slide it is."""
    deck = Presentation()
    for colour in COLOURS:
        slide = deck.slides.add_slide(deck.slide_layouts[6])
        fill = slide.background.fill
        fill.solid()
        fill.fore_color.rgb = RGBColor(*colour)
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


@pytest.fixture
def previews(app):
    if not os.access("/usr/bin/soffice", os.X_OK) and not app.config.get("SOFFICE_PATH"):
        pytest.fail("LibreOffice is required for these tests: run `make office`")
    app.config["OFFICE_PREVIEWS"] = True
    yield app
    app.config["OFFICE_PREVIEWS"] = False
    app.config["SOFFICE_PATH"] = None


def centre_colour(png: bytes) -> tuple[int, int, int]:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    return image.getpixel((image.width // 2, image.height // 2))


def close_to(actual, expected, slack: int = 30) -> bool:
    return all(abs(a - e) <= slack for a, e in zip(actual, expected, strict=True))


def version_of(app, asset_id: int):
    from app.library.models import Asset

    with app.app_context():
        version = db.session.get(Asset, asset_id).current_version
        db.session.expunge(version)
        return version


def test_a_deck_gets_its_real_pages(previews, client, api_token, make_user):
    _, marketer = api_token("marketer")
    created = upload_asset(client, marketer, coloured_deck(), "deck.pptx", status="published")
    assert created.status_code == 201, created.get_json()
    asset_id = created.get_json()["id"]
    version = version_of(previews, asset_id)
    assert version.preview_pdf_key and version.page_count == 3

    viewer = previews.test_client()  # a rep: published content only
    login(viewer, make_user("rep").email)
    for page, colour in enumerate(COLOURS, 1):
        response = viewer.get(f"/assets/{asset_id}/versions/1/pages/{page}.png")
        assert response.status_code == 200
        assert close_to(centre_colour(response.get_data()), colour), page
        assert "immutable" in response.headers["Cache-Control"]
    assert viewer.get(f"/assets/{asset_id}/versions/1/pages/4.png").status_code == 404
    thumbnail = viewer.get(f"/assets/{asset_id}/thumbnail", buffered=True)
    assert close_to(centre_colour(thumbnail.get_data()), COLOURS[0])
    page = viewer.get(f"/assets/{asset_id}/versions/1/view").get_data(as_text=True)
    assert f"/assets/{asset_id}/versions/1/preview.pdf" in page
    pdf = viewer.get(f"/assets/{asset_id}/versions/1/preview.pdf", buffered=True)
    assert pdf.status_code == 200 and pdf.get_data().startswith(b"%PDF")


def test_a_real_word_file_from_the_corpus_gets_a_pdf_preview(previews, client, api_token):
    _, marketer = api_token("marketer")
    data = corpus_file(SAMPLE_DOCX)
    created = upload_asset(client, marketer, data, "guide.docx")
    assert created.status_code == 201, created.get_json()
    version = version_of(previews, created.get_json()["id"])
    assert version.preview_pdf_key and version.page_count >= 1


def fake_soffice(tmp_path, body: str) -> str:
    script = tmp_path / "soffice"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


@pytest.mark.parametrize("body", ["sleep 30", "exit 3", "echo no pdf"])
def test_libreoffice_that_hangs_or_fails_leaves_the_card_and_no_extra_blob(
        previews, client, api_token, tmp_path, body):
    previews.config["SOFFICE_PATH"] = fake_soffice(tmp_path, body)
    previews.config["OFFICE_PREVIEW_TIMEOUT_SECONDS"] = 2
    _, marketer = api_token("marketer")
    before = len(blob_files(previews))
    created = upload_asset(client, marketer, coloured_deck(), "deck.pptx")
    previews.config["OFFICE_PREVIEW_TIMEOUT_SECONDS"] = 60
    assert created.status_code == 201, created.get_json()
    version = version_of(previews, created.get_json()["id"])
    assert version.preview_pdf_key is None
    assert len(blob_files(previews)) == before + 2  # the file and its text card, nothing more
    tmp = previews.config["UPLOAD_TMP_DIR"]
    assert not [n for n in os.listdir(tmp) if n.startswith("lockstep-soffice-")]


def test_without_libreoffice_nothing_changes(previews, client, api_token, tmp_path):
    previews.config["SOFFICE_PATH"] = str(tmp_path / "missing-soffice")
    _, marketer = api_token("marketer")
    created = upload_asset(client, marketer, coloured_deck(), "deck.pptx")
    assert created.status_code == 201
    assert version_of(previews, created.get_json()["id"]).preview_pdf_key is None


def test_the_preview_survives_restore_and_gc(previews, client, api_token):
    from app.library.queries import referenced_blob_keys

    _, marketer = api_token("marketer")
    asset_id = upload_asset(client, marketer, coloured_deck(), "deck.pptx").get_json()["id"]
    first = version_of(previews, asset_id)
    client.post(f"/api/v1/assets/{asset_id}/versions", headers=marketer,
                **multipart({"file": (b"# now markdown\n", "deck.md")}))
    restored = client.post(f"/api/v1/assets/{asset_id}/versions/1/restore", headers=marketer)
    assert restored.status_code == 201
    assert version_of(previews, asset_id).preview_pdf_key == first.preview_pdf_key
    with previews.app_context():
        assert first.preview_pdf_key in referenced_blob_keys()


def test_the_fork_slide_picker_shows_real_slides(previews, client, api_token, make_user):
    _, marketer = api_token("marketer")
    asset_id = upload_asset(client, marketer, coloured_deck(), "deck.pptx",
                            status="published").get_json()["id"]
    rep = previews.test_client()
    login(rep, make_user("rep").email)
    from helpers import csrf_token

    created = rep.post(f"/assets/{asset_id}/fork", data={"csrf_token": csrf_token(rep)})
    page = rep.get(created.headers["Location"]).get_data(as_text=True)
    for n in (1, 2, 3):
        assert f'src="/assets/{asset_id}/versions/1/pages/{n}.png"' in page
