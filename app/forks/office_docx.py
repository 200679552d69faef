"""Fields in Word files: found and filled in the body, tables (nested too), text boxes, every
header and footer, footnotes and endnotes, keeping the formatting of every run.

A newline in a value becomes a line break (`w:br`) inside the run that receives the value.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from lxml import etree

from .office_base import (
    Scan,
    TailoringError,
    cannot_open,
    clean_values,
    fill_line,
    guard_zip,
    parse_part,
    save_atomically,
    scan_lines,
)

WHAT = "Word file"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


W_P, W_T, W_R, W_RPR, W_BR, W_TBL = (_w(t) for t in ("p", "t", "r", "rPr", "br", "tbl"))
W_TXBX = _w("txbxContent")
MC_FALLBACK = f"{{{MC}}}Fallback"
# Inside a paragraph, these never hold the paragraph's own text and are not walked into.
_OPAQUE = {_w(t) for t in ("pPr", "rPr", "delText", "instrText", "del", "moveFrom")}
# Anything that shows between two pieces of text (or hides text) ends a line.
_BREAKS = {_w(t) for t in ("tab", "br", "cr", "ptab", "sym", "noBreakHyphen", "softHyphen",
                           "drawing", "pict", "object", "fldChar", "footnoteReference",
                           "endnoteReference", "delText", "instrText", "del", "moveFrom")}
_NOTES_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml": "footnote",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.endnotes+xml": "endnote",
}
_HEADER_KINDS = {
    "header": "header", "first_page_header": "first-page header",
    "even_page_header": "even-page header", "footer": "footer",
    "first_page_footer": "first-page footer", "even_page_footer": "even-page footer",
}
_MAIN_TYPES = (
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
)


def scan_docx(path) -> Scan:
    document = open_word(path)
    try:
        return scan_lines(_labelled_lines(document), Scan())
    except TailoringError:
        raise
    except Exception as exc:  # a file python-docx opened but whose XML is unusual
        raise cannot_open(WHAT, exc, "read") from exc


def render_docx(path, values: Mapping[str, str], out_path) -> None:
    document = open_word(path)
    try:
        stories = list(_stories(document))
        fields = scan_lines(_labelled_lines(document), Scan()).fields
        cleaned = clean_values(values, fields)
        for element, _label, _save in stories:
            for paragraph in element.iter(W_P):
                for line in _lines(paragraph):
                    _drop_empty_runs(fill_line(line, cleaned, _write_text))
        for element, _label, save in stories:
            save(element)
        save_atomically(document.save, str(out_path))
    except TailoringError:
        raise
    except Exception as exc:
        raise cannot_open(WHAT, exc, "tailored") from exc


def open_word(path):
    """The python-docx Document, or a TailoringError saying why not."""
    guard_zip(path, WHAT)
    import docx  # noqa: F401 - registers python-docx's part classes
    from docx.opc.part import PartFactory
    from docx.package import Package
    from docx.parts.document import DocumentPart

    for content_type in _MAIN_TYPES:  # macro and template flavours share the main part
        PartFactory.part_type_for.setdefault(content_type, DocumentPart)
    try:
        part = Package.open(str(path)).main_document_part
    except Exception as exc:
        raise cannot_open(WHAT, exc) from exc
    if not isinstance(part, DocumentPart):
        raise TailoringError(f"This {WHAT} cannot be opened: it is not a Word document "
                             f"(its main part is {part.content_type}).")
    return part.document


# --- where the text is ----------------------------------------------------------------------


def _stories(document) -> Iterator[tuple[object, str, object]]:
    """(root element, label, save) for the body, each header/footer part, and the notes."""
    yield document.element.body, "body", lambda element: None
    labels = _header_labels(document)
    for part in document.part.package.iter_parts():
        if part in labels:
            yield part.element, labels[part], lambda element: None
        elif part.content_type in _NOTES_TYPES:
            # python-docx keeps these as plain bytes: parse, edit, and put the bytes back.
            root = parse_part(part.blob)
            yield root, _NOTES_TYPES[part.content_type], _blob_writer(part)


def _blob_writer(part):
    def write(element) -> None:
        part._blob = etree.tostring(element, xml_declaration=True, encoding="UTF-8",
                                    standalone=True)
    return write


def _header_labels(document) -> dict:
    """Header and footer parts, each with a label like "first-page header (section 2)"."""
    from docx.parts.hdrftr import FooterPart, HeaderPart

    labels: dict = {}
    for number, section in enumerate(document.sections, start=1):
        for kind, name in _HEADER_KINDS.items():
            story = getattr(section, kind)
            if not story.is_linked_to_previous:
                labels.setdefault(story.part, f"{name} (section {number})")
    for part in document.part.package.iter_parts():
        if isinstance(part, HeaderPart | FooterPart):
            labels.setdefault(part, "header" if isinstance(part, HeaderPart) else "footer")
    return labels


def _labelled_lines(document) -> Iterator[tuple[str, list]]:
    for element, label, _save in _stories(document):
        blocks = _block_labels(element) if label == "body" else {}
        for paragraph in element.iter(W_P):
            if _is_fallback(paragraph):
                continue  # the VML copy of a text box already read in its DrawingML form
            where = _where(paragraph, element, blocks, label)
            for line in _lines(paragraph):
                yield where, line


def _block_labels(body) -> dict:
    """Top-level paragraphs and tables of the body, as Word counts them."""
    labels, paragraphs, tables = {}, 0, 0
    for child in body:
        if child.tag == W_P:
            paragraphs += 1
            labels[child] = f"paragraph {paragraphs}"
        elif child.tag == W_TBL:
            tables += 1
            labels[child] = f"table {tables}"
    return labels


def _where(paragraph, root, blocks: dict, label: str) -> str:
    top = paragraph
    for ancestor in paragraph.iterancestors():
        if ancestor.tag == W_TXBX:
            return "text box" if label == "body" else f"text box in the {label}"
        if ancestor is root:
            break
        top = ancestor
    return blocks.get(top, label)


def _is_fallback(paragraph) -> bool:
    return any(ancestor.tag == MC_FALLBACK for ancestor in paragraph.iterancestors())


def _lines(paragraph) -> list[list]:
    lines: list[list] = [[]]
    for item in _walk(paragraph):
        if item is None:
            if lines[-1]:
                lines.append([])
        else:
            lines[-1].append(item)
    return [line for line in lines if line]


def _walk(element) -> Iterator:
    """The paragraph's own w:t elements in order, and None wherever a line ends."""
    for child in element:
        tag = child.tag
        if not isinstance(tag, str):
            continue  # comments and processing instructions
        if tag == W_T:
            yield child
        elif tag in _BREAKS or tag == W_P:
            yield None  # a nested paragraph (text box) is its own paragraph
        elif tag not in _OPAQUE:
            yield from _walk(child)


# --- writing --------------------------------------------------------------------------------


def _write_text(text_element, parts: list[str]) -> None:
    """The lines of a new text: w:t, w:br, w:t... in the same run, so all share its format."""
    _set_text(text_element, parts[0])
    anchor = text_element
    for part in parts[1:]:
        br = etree.Element(W_BR)
        t = etree.Element(W_T)
        _set_text(t, part)
        anchor.addnext(br)
        br.addnext(t)
        anchor = t


def _set_text(text_element, text: str) -> None:
    text_element.text = text
    text_element.set(XML_SPACE, "preserve")  # Word trims unmarked leading/trailing spaces


def _drop_empty_runs(emptied: list) -> None:
    """Remove runs that held nothing but (now cut) placeholder text."""
    for text_element in emptied:
        run = text_element.getparent()
        if run is None or run.tag != W_R or run.getparent() is None:
            continue
        if all(child.tag == W_RPR or (child.tag == W_T and not child.text) for child in run):
            run.getparent().remove(run)
        else:
            run.remove(text_element)
