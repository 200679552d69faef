"""The Word tailoring engine: fields found everywhere, filled with every run's formatting kept.

Files are built with python-docx in each test and the rendered file is reopened with it."""

from __future__ import annotations

import pytest
from docx import Document
from docx.enum.section import WD_SECTION
from forks.office_files import BLUE, RED, SPLIT_PIECES, add_runs, docx_with_split_field, run_facts

from app.forks.office import Scan, TailoringError, render_docx, scan_docx
from app.forks.placeholders import MAX_VALUE


def test_a_field_split_across_four_runs_is_found_and_filled_keeping_every_run(tmp_path):
    source = docx_with_split_field(tmp_path / "in.docx")
    assert scan_docx(source) == Scan(fields=["company"], problems=[], slide_count=None)

    render_docx(source, {"company": "Acme Corp"}, tmp_path / "out.docx")

    runs = Document(tmp_path / "out.docx").paragraphs[0].runs
    # The value joins the run where "{{" was (bold 14pt); "comp" and "any" held only the
    # placeholder and are gone; the text after "}}" keeps its blue 9pt run; the runs around
    # the field are untouched.
    assert run_facts(runs) == [
        ("Intro ", None, None, 10.0, None),
        ("Dear Acme Corp", True, None, 14.0, None),
        (", welcome", None, None, 9.0, BLUE),
        (" outro", None, True, 11.0, None),
    ]


def test_a_run_boundary_between_the_braces_themselves(tmp_path):
    document = Document()
    add_runs(document.add_paragraph(), [("Hi {", {"bold": True}), ("{ Contact_Name }", {}),
                                        ("} and {{rep_name", {"italic": True}),
                                        ("}}!", {"color": RED})])
    document.save(tmp_path / "in.docx")
    assert scan_docx(tmp_path / "in.docx").fields == ["contact_name", "rep_name"]

    render_docx(tmp_path / "in.docx", {"contact_name": "Dana", "rep_name": "Sam"},
                tmp_path / "out.docx")

    runs = Document(tmp_path / "out.docx").paragraphs[0].runs
    assert run_facts(runs) == [("Hi Dana", True, None, None, None),
                               (" and Sam", None, True, None, None),
                               ("!", None, None, None, RED)]


def test_several_fields_in_one_run_and_fields_without_a_value_stay_as_written(tmp_path):
    document = Document()
    add_runs(document.add_paragraph(),
             [("{{company}} x {{pain_point}} y {{company}}", {"size": 12})])
    document.save(tmp_path / "in.docx")

    render_docx(tmp_path / "in.docx", {"company": "Acme", "pain_point": ""},
                tmp_path / "out.docx")

    runs = Document(tmp_path / "out.docx").paragraphs[0].runs
    assert run_facts(runs) == [("Acme x {{pain_point}} y Acme", None, None, 12.0, None)]


def test_a_newline_in_a_value_is_a_line_break_inside_the_same_run(tmp_path):
    source = docx_with_split_field(tmp_path / "in.docx")
    render_docx(source, {"company": "Acme\r\nEurope\nLtd"}, tmp_path / "out.docx")

    paragraph = Document(tmp_path / "out.docx").paragraphs[0]
    assert paragraph.runs[1].text == "Dear Acme\nEurope\nLtd"  # python-docx reads w:br as \n
    assert paragraph.runs[1].font.bold is True
    assert len(paragraph.runs[1]._r.findall(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}br")) == 2


def test_fields_in_tables_nested_tables_and_every_kind_of_header_and_footer(tmp_path):
    document = Document()
    document.add_paragraph("Body {{company}}")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 1).text = "Cell {{contact_name}}"
    table.cell(1, 0).add_table(rows=1, cols=1).cell(0, 0).text = "Nested {{pain_point}}"
    first = document.sections[0]
    first.different_first_page_header_footer = True
    first.header.paragraphs[0].text = "Header {{rep_name}}"
    first.first_page_header.paragraphs[0].text = "First {{company}}"
    first.footer.paragraphs[0].text = "Footer {{rep_title}}"
    second = document.add_section(WD_SECTION.NEW_PAGE)
    second.even_page_footer.is_linked_to_previous = False
    second.even_page_footer.paragraphs[0].text = "Even {{region}"
    document.save(tmp_path / "in.docx")

    scan = scan_docx(tmp_path / "in.docx")
    assert scan.fields == ["company", "contact_name", "pain_point", "rep_name", "rep_title"]
    assert len(scan.problems) == 1
    assert scan.problems[0].startswith("even-page footer (section 2): “{{region}…” is not a field")

    values = {"company": "Acme", "contact_name": "Dana", "pain_point": "churn",
              "rep_name": "Sam", "rep_title": "AE"}
    render_docx(tmp_path / "in.docx", values, tmp_path / "out.docx")

    out = Document(tmp_path / "out.docx")
    assert out.paragraphs[0].text == "Body Acme"
    assert out.tables[0].cell(0, 1).text == "Cell Dana"
    assert out.tables[0].cell(1, 0).tables[0].cell(0, 0).text == "Nested churn"
    section = out.sections[0]
    assert section.header.paragraphs[0].text == "Header Sam"
    assert section.first_page_header.paragraphs[0].text == "First Acme"
    assert section.footer.paragraphs[0].text == "Footer AE"
    assert out.sections[1].even_page_footer.paragraphs[0].text == "Even {{region}"


def test_problems_say_where_they_are(tmp_path):
    document = Document()
    document.add_paragraph("Fine {{company}}")
    document.add_paragraph("Broken {{company} here")
    document.add_table(rows=1, cols=1).cell(0, 0).text = "Empty {{ }} braces"
    document.save(tmp_path / "in.docx")

    scan = scan_docx(tmp_path / "in.docx")

    assert scan.fields == ["company"]
    assert [p.split(":")[0] for p in scan.problems] == ["paragraph 2", "table 1"]
    assert "“{{company} here…”" in scan.problems[0]
    assert "“{{ }}”" in scan.problems[1]


def test_a_text_box_field_is_filled_in_both_of_words_copies(tmp_path):
    """Word writes a text box twice (DrawingML and a VML fallback); both get the value, and
    the scan reports its problems once."""
    source = docx_with_split_field(tmp_path / "plain.docx")
    document = Document(source)
    paragraph = document.add_paragraph()
    paragraph._p.append(_text_box_run("Box {{company}} {{oops}"))
    document.save(tmp_path / "in.docx")

    scan = scan_docx(tmp_path / "in.docx")
    assert scan.fields == ["company"]
    assert [p.split(":")[0] for p in scan.problems] == ["text box"]

    render_docx(tmp_path / "in.docx", {"company": "Acme"}, tmp_path / "out.docx")

    body = Document(tmp_path / "out.docx").element.body
    texts = ["".join(t.text for t in box.iter(_W + "t")) for box in body.iter(_W + "txbxContent")]
    assert texts == ["Box Acme {{oops}", "Box Acme {{oops}"]


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _text_box_run(text: str):
    from docx.oxml import parse_xml

    box = (f'<w:txbxContent><w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'
           "</w:txbxContent>")
    return parse_xml(
        '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
        'xmlns:v="urn:schemas-microsoft-com:vml"><mc:AlternateContent>'
        f'<mc:Choice Requires="wps"><w:drawing><wps:txbx>{box}</wps:txbx></w:drawing></mc:Choice>'
        f"<mc:Fallback><w:pict><v:textbox>{box}</v:textbox></w:pict></mc:Fallback>"
        "</mc:AlternateContent></w:r>")


def test_script_like_values_are_stored_as_plain_text(tmp_path):
    document = Document()
    document.add_paragraph("{{company}}")
    document.add_paragraph("{{pain_point}}")
    document.save(tmp_path / "in.docx")
    values = {"company": '<script>alert("x")</script><w:t>&amp;',
              "pain_point": '=HYPERLINK("http://evil.example","click")'}

    render_docx(tmp_path / "in.docx", values, tmp_path / "out.docx")

    out = Document(tmp_path / "out.docx")
    assert [p.text for p in out.paragraphs] == [values["company"], values["pain_point"]]
    assert not out.element.body.xpath(".//w:hyperlink | .//w:fldSimple | .//w:instrText")


def test_control_characters_are_dropped_so_the_file_stays_valid_xml(tmp_path):
    source = docx_with_split_field(tmp_path / "in.docx")
    render_docx(source, {"company": "A\x00c\x07me\x0bLtd"}, tmp_path / "out.docx")
    assert Document(tmp_path / "out.docx").paragraphs[0].runs[1].text == "Dear Acme\nLtd"


@pytest.mark.parametrize(("values", "message"), [
    ({"region": "EMEA"}, "This file has no field “region” (its fields: company)."),
    ({"company": "x" * (MAX_VALUE + 1)},
     f"The value for “company” is {MAX_VALUE + 1:,} characters long; at most 2,000"),
    ({"company": 42}, "The value for “company” must be text."),
    ({"two words": "x"}, "“two words” is not a field name."),
])
def test_bad_values_are_refused_and_nothing_is_written(tmp_path, values, message):
    source = docx_with_split_field(tmp_path / "in.docx")
    with pytest.raises(TailoringError) as caught:
        render_docx(source, values, tmp_path / "out.docx")
    assert str(caught.value).startswith(message)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.docx"]


def test_the_longest_allowed_value_and_a_case_insensitive_name_are_accepted(tmp_path):
    source = docx_with_split_field(tmp_path / "in.docx")
    render_docx(source, {"Company": "y" * MAX_VALUE}, tmp_path / "out.docx")
    assert Document(tmp_path / "out.docx").paragraphs[0].runs[1].text == "Dear " + "y" * 2000


def test_the_source_file_is_never_changed(tmp_path):
    source = docx_with_split_field(tmp_path / "in.docx")
    before = source.read_bytes()
    render_docx(source, {"company": "Acme"}, tmp_path / "out.docx")
    assert source.read_bytes() == before
    expected = "".join(text for text, _style in SPLIT_PIECES)
    assert [p.text for p in Document(source).paragraphs] == [expected]
