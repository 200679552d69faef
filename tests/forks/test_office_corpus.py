"""Real Word and PowerPoint files (the python-docx and python-pptx test files, tests/corpus.py):
each one scans and renders into a file that reopens with its text intact (none is refused);
fields injected into real files are filled."""

from __future__ import annotations

import re
import shutil
import zipfile

import corpus
import pytest
from docx import Document
from forks.office_files import dangling_relationships
from pptx import Presentation

from app.forks.office import render_docx, render_pptx, scan_docx, scan_pptx

WORD = {k: v for k, v in corpus.files({".docx"}).items() if k.startswith("office/docx/")}
SLIDES = {k: v for k, v in corpus.files({".pptx", ".pptm"}).items()
          if k.startswith("office/pptx/")}


def _docx_text(path) -> list[str]:
    document = Document(path)
    texts = [p.text for p in document.paragraphs]
    texts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return texts


def _pptx_text(path) -> list[list[str]]:
    return [[shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
            for slide in Presentation(path).slides]


def test_the_corpus_has_office_files():
    assert len(WORD) >= 30 and len(SLIDES) >= 50


@pytest.mark.parametrize("name", sorted(WORD))
def test_every_real_word_file_renders_and_keeps_its_text(name, tmp_path):
    source = WORD[name]
    scan = scan_docx(source)  # every real file is tailorable: a refusal fails the test too
    out = tmp_path / "out.docx"
    render_docx(source, {}, out)
    assert _docx_text(out) == _docx_text(source)
    assert scan_docx(out) == scan


@pytest.mark.parametrize("name", sorted(SLIDES))
def test_every_real_deck_renders_reversed_and_keeps_its_text(name, tmp_path):
    source = SLIDES[name]
    scan = scan_pptx(source)
    out = tmp_path / "out.pptx"
    reverse = list(range(scan.slide_count, 0, -1)) or None
    render_pptx(source, {}, reverse, out)
    assert _pptx_text(out) == _pptx_text(source)[::-1]
    assert dangling_relationships(out) == []


@pytest.mark.parametrize("name", sorted(
    name for name, path in SLIDES.items() if len(Presentation(path).slides) > 1))
def test_every_real_deck_drops_slides_out_of_the_file(name, tmp_path):
    """The last slide then the first, the ones between dropped: their parts leave the zip
    (a link left to one would keep it, under a name a renamed kept slide takes)."""
    source = SLIDES[name]
    count = scan_pptx(source).slide_count
    keep = [count, 1] if count > 2 else [2]
    out = tmp_path / "out.pptx"

    render_pptx(source, {}, keep, out)

    before = _pptx_text(source)
    assert _pptx_text(out) == [before[number - 1] for number in keep]
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
    assert len(names) == len(set(names))
    assert len([n for n in names if re.fullmatch(r"ppt/slides/slide\d+\.xml", n)]) == len(keep)
    assert dangling_relationships(out) == []


def test_fields_injected_into_a_real_word_file_with_tables(tmp_path):
    copy = shutil.copy(corpus.path("office/docx/tbl-having-tables.docx"), tmp_path / "in.docx")
    document = Document(copy)
    cell = document.tables[0].cell(0, 0)
    cell.paragraphs[0].add_run(" {{com")
    cell.paragraphs[0].add_run("pany}}").bold = True
    document.paragraphs[0].add_run("Prepared by {{rep_name}}")
    document.save(copy)
    before = _docx_text(copy)

    render_docx(copy, {"company": "Acme", "rep_name": "Sam"}, tmp_path / "out.docx")

    after = _docx_text(tmp_path / "out.docx")
    expected = [text.replace("{{company}}", "Acme").replace("{{rep_name}}", "Sam")
                for text in before]
    assert after == expected
    assert "Acme" in Document(tmp_path / "out.docx").tables[0].cell(0, 0).text


def test_fields_injected_into_real_headers_and_footers(tmp_path):
    copy = shutil.copy(corpus.path("office/docx/doc-odd-even-hdrs.docx"), tmp_path / "in.docx")
    document = Document(copy)
    section = document.sections[0]
    section.even_page_header.paragraphs[0].add_run(" for {{company}}")
    section.footer.paragraphs[0].add_run(" {{rep_name}}")
    document.save(copy)

    render_docx(copy, {"company": "Acme", "rep_name": "Sam"}, tmp_path / "out.docx")

    out = Document(tmp_path / "out.docx").sections[0]
    assert out.even_page_header.paragraphs[0].text.endswith(" for Acme")
    assert out.footer.paragraphs[0].text.endswith(" Sam")


def test_fields_injected_into_a_real_deck_are_filled_on_the_kept_slides(tmp_path):
    copy = shutil.copy(corpus.path("office/pptx/sld-slides.pptx"), tmp_path / "in.pptx")
    presentation = Presentation(copy)
    assert len(presentation.slides) == 3
    for number, slide in enumerate(presentation.slides, start=1):
        box = slide.shapes.add_textbox(0, 0, 914400, 914400)
        box.text_frame.text = f"Slide {number} for {{{{company}}}}"
    presentation.save(copy)
    assert scan_pptx(copy).fields == ["company"]

    render_pptx(copy, {"company": "Acme"}, [3, 1], tmp_path / "out.pptx")

    slides = Presentation(tmp_path / "out.pptx").slides
    assert [slide.shapes[-1].text_frame.text for slide in slides] == [
        "Slide 3 for Acme", "Slide 1 for Acme"]
    assert dangling_relationships(tmp_path / "out.pptx") == []


def test_a_real_deck_with_media_links_and_macros_keeps_the_chosen_slides(tmp_path):
    """act-props.pptm: slide 3 holds sound, an embedded workbook, web and file links and a
    link to itself; slides 2, 4 and 5 are dropped."""
    source = corpus.path("office/pptx/act-props.pptm")
    before = _pptx_text(source)

    render_pptx(source, {}, [3, 1], tmp_path / "out.pptm")

    assert _pptx_text(tmp_path / "out.pptm") == [before[2], before[0]]
    assert dangling_relationships(tmp_path / "out.pptm") == []
    with zipfile.ZipFile(tmp_path / "out.pptm") as archive:
        names = set(archive.namelist())
    assert "ppt/vbaProject.bin" in names
    assert len([n for n in names if n.startswith("ppt/slides/slide")]) == 2
