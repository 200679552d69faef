"""Edges of the tailoring engine that real files have and generated ones rarely do: slides
linked from the outline view, footnotes, spell-check marks, content controls, tracked changes."""

from __future__ import annotations

import re
import shutil
import zipfile

import corpus
from docx import Document
from docx.oxml import parse_xml
from forks.office_files import dangling_relationships, pptx_deck, slide_titles
from lxml import etree
from pptx import Presentation
from pptx.opc.constants import RELATIONSHIP_TYPE as RT

from app.forks.office import render_docx, render_pptx, scan_docx

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f'xmlns:w="{W_NS}"'
P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"


def _collapse_every_slide_in_the_outline(path) -> None:
    """What PowerPoint writes when slides are collapsed in the outline view: viewProps.xml
    lists them, each through a relationship of its own to the slide."""
    presentation = Presentation(path)
    view = presentation.part.part_related_by(RT.VIEW_PROPS)
    entries = "".join(f'<p:sld r:id="{view.relate_to(slide.part, RT.SLIDE)}" collapse="1"/>'
                      for slide in presentation.slides)
    outline = ('<p:outlineViewPr><p:cViewPr><p:scale><a:sx n="33" d="100"/><a:sy n="33" '
               'd="100"/></p:scale><p:origin x="0" y="0"/></p:cViewPr>'
               f"<p:sldLst>{entries}</p:sldLst></p:outlineViewPr>")
    view._blob = view.blob.replace(b"<p:slideViewPr>", outline.encode() + b"<p:slideViewPr>")
    presentation.save(path)


def test_a_dropped_slide_linked_from_the_outline_view_leaves_the_file(tmp_path):
    source = pptx_deck(tmp_path / "in.pptx", ["One", "Two internal pricing", "Three"])
    _collapse_every_slide_in_the_outline(source)
    out = tmp_path / "out.pptx"

    render_pptx(source, {}, [3, 1], out)

    assert slide_titles(out) == ["Three", "One"]
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        contents = [archive.read(name) for name in names]
        view = etree.fromstring(archive.read("ppt/viewProps.xml"))
        view_rels = etree.fromstring(archive.read("ppt/_rels/viewProps.xml.rels"))
    # Without the fix the dropped slide stayed, sharing "slide2.xml" with a renamed kept one.
    assert len(names) == len(set(names))
    assert sorted(n for n in names if n.startswith("ppt/slides/slide")) == [
        "ppt/slides/slide1.xml", "ppt/slides/slide2.xml"]
    assert not any(b"internal pricing" in content for content in contents)
    assert len(list(view.iter(f"{P}sld"))) == 2
    assert sorted(rel.get("Target") for rel in view_rels) == [
        "slides/slide1.xml", "slides/slide2.xml"]
    assert dangling_relationships(out) == []


FOOTNOTE = (f'<w:footnote {W} w:id="7"><w:p>'
            '<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">See {{com</w:t></w:r>'
            '<w:r><w:rPr><w:i/></w:rPr><w:t xml:space="preserve">pany}} and {{oops}</w:t></w:r>'
            "</w:p></w:footnote>")


def _with_footnote(source, path):
    """A copy of a real Word file whose footnotes part gets one more footnote."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w") as new:
        for item in old.infolist():
            data = old.read(item)
            if item.filename == "word/footnotes.xml":
                data = data.replace(b"</w:footnotes>", FOOTNOTE.encode() + b"</w:footnotes>")
            new.writestr(item, data)
    return path


def _footnote_runs(path) -> list[tuple[str, bool, bool]]:
    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read("word/footnotes.xml"))
    note = root.find(f"{{{W_NS}}}footnote[@{{{W_NS}}}id='7']")
    return [("".join(run.itertext()), run.find(f".//{{{W_NS}}}b") is not None,
             run.find(f".//{{{W_NS}}}i") is not None) for run in note.iter(f"{{{W_NS}}}r")]


def test_fields_in_the_footnotes_of_a_real_word_file(tmp_path):
    source = _with_footnote(corpus.path("office/docx/blk-paras-and-tables.docx"),
                            tmp_path / "in.docx")
    scan = scan_docx(source)
    assert scan.fields == ["company"]
    assert [problem.split(":")[0] for problem in scan.problems] == ["footnote"]
    body_before = [p.text for p in Document(source).paragraphs]

    render_docx(source, {"company": "Acme"}, tmp_path / "out.docx")

    assert _footnote_runs(tmp_path / "out.docx") == [("See Acme", True, False),
                                                       (" and {{oops}", False, True)]
    assert [p.text for p in Document(tmp_path / "out.docx").paragraphs] == body_before


def _paragraph_of(xml_pieces: list[str]) -> Document:
    document = Document()
    paragraph = document.add_paragraph()._p
    for piece in xml_pieces:
        # "<w:Xr>" is "<w:r>" with the namespace declared: each piece is its own XML.
        paragraph.append(parse_xml(re.sub(r"^<w:X(\w+)", rf"<w:\1 {W}", piece)))
    return document


def test_spell_check_marks_bookmarks_content_controls_and_tracked_changes(tmp_path):
    """Word puts these between the runs of a placeholder; none of them ends the field, and the
    deleted text of a tracked change is neither a field nor changed."""
    document = _paragraph_of([
        '<w:Xr><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">A {{</w:t></w:r>',
        '<w:XproofErr w:type="spellStart"/>',
        '<w:XbookmarkStart w:id="0" w:name="here"/>',
        "<w:Xr><w:rPr><w:i/></w:rPr><w:t>compny</w:t></w:r>",
        '<w:XproofErr w:type="spellEnd"/>',
        '<w:XbookmarkEnd w:id="0"/>',
        '<w:Xr><w:t xml:space="preserve">}} / </w:t></w:r>',
        "<w:Xsdt><w:sdtPr><w:alias w:val=\"Rep\"/></w:sdtPr><w:sdtContent>"
        '<w:r><w:t xml:space="preserve">{{rep_name}} </w:t></w:r></w:sdtContent></w:sdt>',
        '<w:XsmartTag w:uri="u" w:element="e"><w:r><w:t>{{contact_</w:t></w:r></w:smartTag>',
        '<w:Xins w:id="1" w:author="M"><w:r><w:t xml:space="preserve">name}} </w:t></w:r></w:ins>',
        '<w:Xdel w:id="2" w:author="M"><w:r><w:delText>{{deleted}}</w:delText></w:r></w:del>',
    ])
    document.save(tmp_path / "in.docx")
    assert scan_docx(tmp_path / "in.docx").fields == ["compny", "rep_name", "contact_name"]

    render_docx(tmp_path / "in.docx", {"compny": "Acme", "rep_name": "Sam",
                                       "contact_name": "Dana"}, tmp_path / "out.docx")

    paragraph = Document(tmp_path / "out.docx").paragraphs[0]
    assert [(run.text, run.bold, run.italic) for run in paragraph.runs] == [
        ("A Acme", True, None), (" / ", None, None)]
    assert paragraph._p.xpath("string(.//w:sdtContent)") == "Sam "
    assert paragraph._p.xpath("string(.//w:smartTag)") == "Dana"
    assert paragraph._p.xpath("string(.//w:ins)") == " "
    assert paragraph._p.xpath("string(.//w:delText)") == "{{deleted}}"
    assert len(paragraph._p.xpath(".//w:proofErr | .//w:bookmarkStart")) == 3


def test_a_value_that_looks_like_a_field_is_not_filled_again(tmp_path):
    copy = shutil.copy(corpus.path("office/docx/tbl-having-tables.docx"), tmp_path / "in.docx")
    document = Document(copy)
    document.paragraphs[0].add_run("{{company}} by {{rep_name}}")
    document.save(copy)

    render_docx(copy, {"company": "{{rep_name}}", "rep_name": "Sam"}, tmp_path / "out.docx")

    assert Document(tmp_path / "out.docx").paragraphs[0].text.endswith("{{rep_name}} by Sam")
