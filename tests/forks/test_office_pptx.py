"""The PowerPoint tailoring engine: fields in shapes, groups, tables and notes; slides dropped
and reordered into a file that reopens without dangling parts."""

from __future__ import annotations

import zipfile

import pytest
from forks.office_files import (
    BLUE,
    RED,
    add_textbox,
    dangling_relationships,
    pptx_deck,
    run_facts,
    slide_titles,
)
from pptx import Presentation
from pptx.util import Inches

from app.forks.office import TailoringError, render_pptx, scan_pptx

TITLES = ["One {{company}}", "Two", "Three {{rep_name}}", "Four", "Five"]
NOTES = [f"Notes {n} {{{{contact_name}}}}" for n in range(1, 6)]


@pytest.fixture
def deck(tmp_path):
    return pptx_deck(tmp_path / "deck.pptx", TITLES, NOTES)


def test_a_field_split_across_runs_keeps_the_formatting_of_every_run(tmp_path):
    presentation = Presentation()
    slide = presentation.slides.add_slide(presentation.slide_layouts[6])
    add_textbox(slide, [("For ", {"size": 20}), ("{{comp", {"bold": True, "size": 28}),
                        ("an", {"italic": True}), ("y}} today", {"color": RED, "size": 12}),
                        (" and more", {"color": BLUE})])
    presentation.save(tmp_path / "in.pptx")
    assert scan_pptx(tmp_path / "in.pptx").fields == ["company"]

    render_pptx(tmp_path / "in.pptx", {"company": "Acme Corp"}, None, tmp_path / "out.pptx")

    shape = Presentation(tmp_path / "out.pptx").slides[0].shapes[0]
    assert run_facts(shape.text_frame.paragraphs[0].runs) == [
        ("For ", None, None, 20.0, None),
        ("Acme Corp", True, None, 28.0, None),
        (" today", None, None, 12.0, RED),
        (" and more", None, None, None, BLUE),
    ]


def test_a_newline_becomes_a_line_break_and_each_line_keeps_the_runs_format(tmp_path):
    presentation = Presentation()
    slide = presentation.slides.add_slide(presentation.slide_layouts[6])
    add_textbox(slide, [("Hi {{company}}!", {"bold": True, "size": 30})])
    presentation.save(tmp_path / "in.pptx")

    render_pptx(tmp_path / "in.pptx", {"company": "Acme\nEurope"}, None, tmp_path / "out.pptx")

    paragraph = Presentation(tmp_path / "out.pptx").slides[0].shapes[0].text_frame.paragraphs[0]
    assert paragraph.text == "Hi Acme\vEurope!"  # python-pptx shows a:br as a vertical tab
    assert run_facts(paragraph.runs) == [("Hi Acme", True, None, 30.0, None),
                                         ("Europe!", True, None, 30.0, None)]


def test_fields_in_grouped_shapes_tables_and_notes(tmp_path):
    presentation = Presentation()
    slide = presentation.slides.add_slide(presentation.slide_layouts[6])
    group = slide.shapes.add_group_shape()
    inner = group.shapes.add_textbox(Inches(1), Inches(1), Inches(3), Inches(1))
    inner.text_frame.text = "Grouped {{company}}"
    table = slide.shapes.add_table(2, 2, Inches(1), Inches(3), Inches(4), Inches(2)).table
    table.cell(1, 1).text = "Cell {{pain_point}}"
    slide.notes_slide.notes_text_frame.text = "Ask {{contact_name}} about {{ budget }"
    presentation.save(tmp_path / "in.pptx")

    scan = scan_pptx(tmp_path / "in.pptx")
    assert scan.fields == ["company", "pain_point", "contact_name"]
    assert scan.slide_count == 1
    assert len(scan.problems) == 1
    assert scan.problems[0].startswith("slide 1 notes: “{{ budget }…” is not a field")

    values = {"company": "Acme", "pain_point": "churn", "contact_name": "Dana"}
    render_pptx(tmp_path / "in.pptx", values, None, tmp_path / "out.pptx")

    slide = Presentation(tmp_path / "out.pptx").slides[0]
    assert slide.shapes[0].shapes[0].text_frame.text == "Grouped Acme"
    assert slide.shapes[1].table.cell(1, 1).text == "Cell churn"
    assert slide.notes_slide.notes_text_frame.text == "Ask Dana about {{ budget }"


def test_slides_are_dropped_and_reordered_with_their_notes(deck, tmp_path):
    out = tmp_path / "out.pptx"
    render_pptx(deck, {"company": "Acme", "contact_name": "Dana"}, [5, 1, 3], out)

    assert slide_titles(out) == ["Five", "One Acme", "Three {{rep_name}}"]
    notes = [s.notes_slide.notes_text_frame.text for s in Presentation(out).slides]
    assert notes == ["Notes 5 Dana", "Notes 1 Dana", "Notes 3 Dana"]
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
    assert sorted(n for n in names if n.startswith("ppt/slides/slide")) == [
        "ppt/slides/slide1.xml", "ppt/slides/slide2.xml", "ppt/slides/slide3.xml"]
    assert len([n for n in names if n.startswith("ppt/notesSlides/notesSlide")]) == 3
    assert len(names) == len(set(names))
    assert dangling_relationships(out) == []
    assert scan_pptx(out).slide_count == 3


def test_the_fields_of_a_dropped_slide_may_still_be_given(deck, tmp_path):
    """The form shows every field of the source; dropping slide 3 must not make
    `rep_name` an unknown field."""
    render_pptx(deck, {"rep_name": "Sam"}, [1, 2], tmp_path / "out.pptx")
    assert slide_titles(tmp_path / "out.pptx") == ["One {{company}}", "Two"]


def test_a_link_to_a_dropped_slide_is_removed_so_no_relationship_dangles(tmp_path):
    source = pptx_deck(tmp_path / "in.pptx", ["One", "Two", "Three"])
    presentation = Presentation(source)
    first, _second, third = presentation.slides
    first.shapes.title.click_action.target_slide = third
    presentation.save(source)

    render_pptx(source, {}, [1, 2], tmp_path / "out.pptx")

    out = Presentation(tmp_path / "out.pptx")
    assert [s.shapes.title.text_frame.text for s in out.slides] == ["One", "Two"]
    assert out.slides[0].shapes.title.click_action.target_slide is None
    assert dangling_relationships(tmp_path / "out.pptx") == []


def test_keeping_every_slide_in_order_changes_nothing_but_the_fields(deck, tmp_path):
    render_pptx(deck, {"company": "Acme"}, [1, 2, 3, 4, 5], tmp_path / "out.pptx")
    assert slide_titles(tmp_path / "out.pptx") == ["One Acme"] + TITLES[1:]


@pytest.mark.parametrize(("slides", "message"), [
    ([], "Keep at least one slide."),
    ([0], "There is no slide 0: this file has 5 slides."),
    ([2, 6], "There is no slide 6: this file has 5 slides."),
    ([1, 3, 1], "Slide 1 is chosen more than once."),
    ([1, True], "“True” is not a slide number."),
    (["2"], "“2” is not a slide number."),
])
def test_bad_slide_choices_are_refused_and_nothing_is_written(deck, tmp_path, slides, message):
    with pytest.raises(TailoringError, match="^" + message.replace(".", r"\.") + "$"):
        render_pptx(deck, {}, slides, tmp_path / "out.pptx")
    assert not (tmp_path / "out.pptx").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["deck.pptx"]


def test_an_unknown_field_is_refused(deck, tmp_path):
    with pytest.raises(TailoringError, match="no field “region”"):
        render_pptx(deck, {"region": "EMEA"}, None, tmp_path / "out.pptx")


def test_script_like_values_are_plain_text_on_the_slide(deck, tmp_path):
    values = {"company": "<script>alert(1)</script>", "contact_name": '=HYPERLINK("x")'}
    render_pptx(deck, values, [1], tmp_path / "out.pptx")
    slide = Presentation(tmp_path / "out.pptx").slides[0]
    assert slide.shapes.title.text_frame.text == "One <script>alert(1)</script>"
    assert slide.notes_slide.notes_text_frame.text == 'Notes 1 =HYPERLINK("x")'
    assert slide.shapes.title.click_action.hyperlink.address is None


def test_a_slide_number_field_between_runs_is_kept_and_ends_the_line(tmp_path):
    """`a:fld` (slide number, date) is PowerPoint's own field: it splits a line, so
    "{{" before it and "}}" after it are not one placeholder, and it is left alone."""
    from pptx.oxml import parse_xml

    presentation = Presentation()
    slide = presentation.slides.add_slide(presentation.slide_layouts[6])
    box = add_textbox(slide, [("{{company", {})])
    paragraph = box.text_frame.paragraphs[0]._p
    paragraph.append(parse_xml(
        '<a:fld xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
        'id="{B6F15528-21DE-4FAA-801E-634DDDAF4B2B}" type="slidenum"><a:t>1</a:t></a:fld>'))
    run = paragraph.add_r()
    run.text = "}} {{rep_name}}"
    presentation.save(tmp_path / "in.pptx")

    scan = scan_pptx(tmp_path / "in.pptx")
    assert scan.fields == ["rep_name"]
    assert len(scan.problems) == 1
    render_pptx(tmp_path / "in.pptx", {"rep_name": "Sam"}, None, tmp_path / "out.pptx")
    text = Presentation(tmp_path / "out.pptx").slides[0].shapes[0].text_frame.text
    assert text == "{{company1}} Sam"


def _libreoffice_pages(path, tmp_path) -> list[str]:
    import subprocess

    from pypdf import PdfReader

    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=120)
    return [page.extract_text() for page in PdfReader(tmp_path / f"{path.stem}.pdf").pages]


@pytest.fixture
def needs_libreoffice():
    # Optional for running the app, required for the suite: `make test` installs it.
    if not __import__("shutil").which("soffice"):
        pytest.fail("LibreOffice is required for these tests: run `make office`")


@pytest.mark.usefixtures("needs_libreoffice")
def test_libreoffice_opens_a_reordered_deck_with_the_right_pages(deck, tmp_path):
    render_pptx(deck, {"company": "Acme"}, [4, 1], tmp_path / "out.pptx")
    pages = _libreoffice_pages(tmp_path / "out.pptx", tmp_path)
    assert len(pages) == 2
    assert "Four" in pages[0]
    assert "One Acme" in pages[1]


@pytest.mark.usefixtures("needs_libreoffice")
def test_libreoffice_opens_a_real_deck_with_slides_dropped(tmp_path):
    import corpus

    render_pptx(corpus.path("office/pptx/sld-slides.pptx"), {}, [3, 1], tmp_path / "out.pptx")
    assert len(_libreoffice_pages(tmp_path / "out.pptx", tmp_path)) == 2


P14 = "http://schemas.microsoft.com/office/powerpoint/2010/main"


def _with_sections(path):
    """Two PowerPoint sections: slides 1-2 and slides 3-5."""
    from pptx.oxml import parse_xml

    presentation = Presentation(path)
    ids = [entry.id for entry in presentation.element.sldIdLst]
    lists = [ids[:2], ids[2:]]
    sections = ""
    for n, group in enumerate(lists, start=1):
        entries = "".join(f'<p14:sldId id="{i}"/>' for i in group)
        sections += (f'<p14:section name="S{n}" id="{{0000000{n}-0000-0000-0000-000000000000}}">'
                     f"<p14:sldIdLst>{entries}</p14:sldIdLst></p14:section>")
    presentation.element.append(parse_xml(
        '<p:extLst xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main">'
        f'<p:ext uri="{{521415D9-36F7-43E2-AB2F-B90AF26B5E84}}"><p14:sectionLst xmlns:p14="{P14}">'
        f"{sections}</p14:sectionLst></p:ext></p:extLst>"))
    presentation.save(path)
    return ids


def _sections(path) -> list[list[int]]:
    root = Presentation(path).element
    return [[int(e.get("id")) for e in section.iter(f"{{{P14}}}sldId")]
            for section in root.iter(f"{{{P14}}}section")]


def test_sections_forget_dropped_slides_and_go_away_after_a_reorder(deck, tmp_path):
    ids = _with_sections(deck)
    assert _sections(deck) == [ids[:2], ids[2:]]

    render_pptx(deck, {}, [1, 4, 5], tmp_path / "dropped.pptx")
    assert _sections(tmp_path / "dropped.pptx") == [[ids[0]], [ids[3], ids[4]]]

    render_pptx(deck, {}, [4, 1], tmp_path / "reordered.pptx")
    assert _sections(tmp_path / "reordered.pptx") == []
    assert slide_titles(tmp_path / "reordered.pptx") == ["Four", "One {{company}}"]
