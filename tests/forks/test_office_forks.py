"""Word, PowerPoint and PDF forks through the API: the fields found on upload, the rendered
files reopened with python-docx, python-pptx and pypdf, slide choices followed onto a new
version, and broken input refused without a broken file."""

from __future__ import annotations

import io

import pytest
from docx import Document
from helpers import SAMPLE_PDF, corpus_file, multipart, upload_asset
from pptx import Presentation
from pypdf import PdfReader

from app.extensions import db


def docx_bytes(paragraphs: list[list[tuple[str, dict]]]) -> bytes:
    """A Word file whose paragraphs are made of runs with the given formatting."""
    document = Document()
    for runs in paragraphs:
        paragraph = document.add_paragraph()
        for text, style in runs:
            run = paragraph.add_run(text)
            run.bold, run.italic = style.get("bold"), style.get("italic")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pptx_bytes(titles: list[str]) -> bytes:
    deck = Presentation()
    for title in titles:
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = title
        slide.placeholders[1].text = f"Body of {title} for {{{{company}}}}"
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


@pytest.fixture
def marketer(api_token):
    return api_token("marketer")[1]


@pytest.fixture
def rep(api_token):
    return api_token("rep")


def publish(client, headers, data: bytes, filename: str) -> int:
    response = upload_asset(client, headers, data, filename, status="published")
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_word_fields_split_across_runs_are_found_and_filled_keeping_formatting(
        client, marketer, rep):
    _, headers = rep
    data = docx_bytes([
        [("Dear ", {}), ("{{con", {"bold": True}), ("tact_name}}", {"italic": True}),
         (",", {})],
        [("We know ", {}), ("{{company}}", {"bold": True}), (" wants ", {}),
         ("{{pain_point}}", {}), (".", {})],
    ])
    asset = publish(client, marketer, data, "letter.docx")
    created = client.post(f"/api/v1/assets/{asset}/forks", headers=headers, json={
        "account": "Acme", "fields": {"contact_name": "Zoë", "company": "Acme",
                                      "pain_point": "<script>x</script>"}})
    assert created.status_code == 201, created.get_json()
    assert [f["name"] for f in created.get_json()["field_definitions"]] == [
        "contact_name", "company", "pain_point"]
    rendered = client.get(f"/api/v1/forks/{created.get_json()['id']}/render", buffered=True,
                          headers=headers)
    assert rendered.status_code == 200
    document = Document(io.BytesIO(rendered.get_data()))
    first, second = document.paragraphs[:2]
    assert first.text == "Dear Zoë,"
    assert second.text == "We know Acme wants <script>x</script>."
    # The value takes the formatting of the run where its field started; others are untouched.
    assert [(r.text, r.bold, r.italic) for r in first.runs if r.text] == [
        ("Dear ", None, None), ("Zoë", True, None), (",", None, None)]
    assert [(r.text, r.bold) for r in second.runs if r.text] == [
        ("We know ", None), ("Acme", True), (" wants ", None), ("<script>x</script>", None),
        (".", None)]


def test_pptx_slides_are_dropped_and_reordered_and_follow_a_new_version(client, marketer, rep):
    _, headers = rep
    asset = publish(client, marketer, pptx_bytes(["Why now", "Pricing", "Case study",
                                                  "Next steps"]), "deck.pptx")
    created = client.post(f"/api/v1/assets/{asset}/forks", headers=headers, json={
        "fields": {"company": "Acme"}, "slides": [3, 1, 4]}).get_json()
    assert created["slide_count"] == 4 and created["slides"] == [3, 1, 4]
    rendered = client.get(f"/api/v1/forks/{created['id']}/render", buffered=True,
                          headers=headers)
    deck = Presentation(io.BytesIO(rendered.get_data()))
    assert [s.shapes.title.text for s in deck.slides] == ["Case study", "Why now", "Next steps"]
    assert deck.slides[0].placeholders[1].text == "Body of Case study for Acme"

    # Marketing inserts a slide at the front and drops "Pricing": the choice follows content.
    client.post(f"/api/v1/assets/{asset}/versions", headers=marketer, **multipart({
        "file": (pptx_bytes(["Agenda", "Why now", "Case study", "Next steps"]), "deck.pptx")}))
    updated = client.post(f"/api/v1/forks/{created['id']}/update-from-source", headers=headers,
                          json={})
    assert updated.status_code == 200, updated.get_json()
    assert updated.get_json()["fork"]["slides"] == [3, 2, 4]
    assert updated.get_json()["notes"] == [
        "The source has new slides: 1; add them in the slide picker if you want them."]


@pytest.mark.parametrize("slides, reason", [
    ([], "empty"), ([0, 1], "out_of_range"), ([5], "out_of_range"), ([1, 1], "repeated"),
    (["1"], None), ([True], None), ([1.5], None),
])
def test_bad_slide_choices_are_refused(client, marketer, rep, slides, reason):
    asset = publish(client, marketer, pptx_bytes(["One", "Two", "Three", "Four"]), "d.pptx")
    response = client.post(f"/api/v1/assets/{asset}/forks", headers=rep[1],
                           json={"slides": slides})
    assert response.status_code == 422, response.get_json()
    if reason:
        assert response.get_json()["error"]["details"]["slides"] == reason


def test_pdf_fork_gets_a_cover_and_keeps_the_original_pages(client, marketer, rep):
    user, headers = rep
    original = corpus_file(SAMPLE_PDF)
    asset = publish(client, marketer, original, "guide.pdf")
    created = client.post(f"/api/v1/assets/{asset}/forks", headers=headers, json={
        "account": "Acme Corp", "cover": {"contact": "Zoë Müller", "note": "As discussed."}})
    assert created.status_code == 201, created.get_json()
    rendered = client.get(f"/api/v1/forks/{created.get_json()['id']}/render", buffered=True,
                          headers=headers)
    # Nothing of the original is rewritten: its bytes come first, the cover after them.
    assert rendered.get_data().startswith(original)
    tailored = PdfReader(io.BytesIO(rendered.get_data()))
    source = PdfReader(io.BytesIO(original))
    assert len(tailored.pages) == len(source.pages) + 1
    cover = tailored.pages[0].extract_text()
    for text in ("Acme Corp", "Zoë Müller", "As discussed.", user.name):
        assert text in cover
    for kept, page in zip(tailored.pages[1:], source.pages, strict=True):
        assert kept.get_contents().get_data() == page.get_contents().get_data()


def test_a_file_the_office_libraries_cannot_open_is_a_clear_error(app, client, marketer, rep):
    """A .docx that is a zip of the wrong parts passes the upload's sniffing as a document
    only if it is a real OOXML package, so damage is simulated on the stored version's row."""
    asset = publish(client, marketer, docx_bytes([[("Hi {{company}}", {})]]), "a.docx")
    fork_id = client.post(f"/api/v1/assets/{asset}/forks", headers=rep[1],
                          json={}).get_json()["id"]
    from app.forks.models import Fork
    from app.library.models import AssetVersion
    from app.storage.flask import get_storage

    with app.app_context():
        fork = db.session.get(Fork, fork_id)
        blob = get_storage().save(io.BytesIO(b"PK\x03\x04 not really a zip"))
        version = db.session.get(AssetVersion, fork.source_version_id)
        version.storage_key = blob.key
        db.session.commit()
    response = client.get(f"/api/v1/forks/{fork_id}/render", buffered=True, headers=rep[1])
    assert response.status_code == 422
    assert "cannot" in response.get_json()["error"]["message"].lower()


def test_what_marketing_learns_is_counted_by_hand(app, client, marketer, api_token):
    asset = publish(client, marketer, pptx_bytes(["One", "Two", "Three", "Four"]), "deck.pptx")
    choices = [  # (fields, slides) of four forks by three reps
        ({"company": "Acme"}, [1, 2, 4]),
        ({"company": " acme "}, [1, 4]),
        ({"company": "Beta"}, None),
        ({}, [2, 1, 4]),
    ]
    reps = [api_token("rep")[1] for _ in range(3)]
    for index, (values, slides) in enumerate(choices):
        body = {"fields": values} | ({"slides": slides} if slides else {})
        response = client.post(f"/api/v1/assets/{asset}/forks", headers=reps[index % 3],
                               json=body)
        assert response.status_code == 201, response.get_json()
    from app.forks import queries
    from app.library.models import Asset

    with app.app_context():
        learned = queries.learning(db.session.get(Asset, asset))
    assert (learned.forks, learned.owners, learned.current_forks) == (4, 3, 4)
    # company filled in 3 forks; "Acme" and " acme " are one value, shown as first spelt.
    assert [(f.name, f.filled, f.typical) for f in learned.fields] == [
        ("company", 3, [("Acme", 2), ("Beta", 1)])]
    # Slide 3 dropped by forks 1, 2 and 4; slide 2 by fork 2; 1 and 4 by none.
    assert learned.dropped_slides == [(3, 3), (2, 1)]


def test_accepting_a_slide_selection_makes_the_next_deck(client, marketer, rep):
    user, headers = rep
    asset = publish(client, marketer, pptx_bytes(["One", "Two", "Three"]), "deck.pptx")
    fork_id = client.post(f"/api/v1/assets/{asset}/forks", headers=headers, json={
        "fields": {"company": "Acme"}, "slides": [3, 1]}).get_json()["id"]
    suggestion = client.post(f"/api/v1/forks/{fork_id}/suggest", headers=headers,
                             json={"comment": "Lead with the case"}).get_json()
    accepted = client.post(f"/api/v1/suggestions/{suggestion['id']}/accept", headers=marketer,
                           json={})
    assert accepted.status_code == 200, accepted.get_json()
    new = client.get(f"/api/v1/assets/{asset}/versions/2/download", headers=marketer,
                     buffered=True)
    deck = Presentation(io.BytesIO(new.get_data()))
    assert [s.shapes.title.text for s in deck.slides] == ["Three", "One"]
    # The account's values are not marketing's: the field stays a field.
    assert deck.slides[0].placeholders[1].text == "Body of Three for {{company}}"
