"""Fields in PowerPoint files: found and filled in every slide's shapes (grouped ones too),
tables and speaker notes, keeping the formatting of every run; slides dropped and reordered.

A newline in a value becomes a line break (`a:br`) followed by a copy of the run that
received the value, so every line keeps that run's formatting. Charts and SmartArt keep their
text as written (they live in parts of their own).
"""

from __future__ import annotations

import copy
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

WHAT = "PowerPoint file"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
P14 = "http://schemas.microsoft.com/office/powerpoint/2010/main"
A_P, A_R, A_T, A_BR, A_RPR = (f"{{{A}}}{tag}" for tag in ("p", "r", "t", "br", "rPr"))
_NOT_TEXT = {f"{{{A}}}pPr", f"{{{A}}}endParaRPr"}
P_CUSTOM_SLIDE = "{http://schemas.openxmlformats.org/presentationml/2006/main}sld"


def scan_pptx(path) -> Scan:
    presentation = open_presentation(path)
    try:
        slides = list(presentation.slides)
        return scan_lines(_labelled_lines(slides), Scan(slide_count=len(slides)))
    except TailoringError:
        raise
    except Exception as exc:  # a file python-pptx opened but whose XML is unusual
        raise cannot_open(WHAT, exc, "read") from exc


def render_pptx(path, values: Mapping[str, str], slides: list[int] | None, out_path) -> None:
    presentation = open_presentation(path)
    try:
        every_slide = list(presentation.slides)
        fields = scan_lines(_labelled_lines(every_slide), Scan()).fields
        cleaned = clean_values(values, fields)
        if slides is not None:
            _check_selection(slides, len(every_slide))
            _select_slides(presentation, slides)
        for slide in presentation.slides:
            for root in _roots(slide):
                for paragraph in root.iter(A_P):
                    for line in _lines(paragraph):
                        _drop_empty_runs(fill_line(line, cleaned, _write_text))
        save_atomically(presentation.part.package.save, str(out_path))
    except TailoringError:
        raise
    except Exception as exc:
        raise cannot_open(WHAT, exc, "tailored") from exc


def open_presentation(path):
    """The python-pptx Presentation, or a TailoringError saying why not."""
    guard_zip(path, WHAT)
    from pptx.package import Package
    from pptx.parts.presentation import PresentationPart

    try:
        # Package.open accepts the template and slideshow flavours that Presentation() refuses.
        part = Package.open(str(path)).presentation_part
    except Exception as exc:
        raise cannot_open(WHAT, exc) from exc
    if not isinstance(part, PresentationPart):
        raise TailoringError(f"This {WHAT} cannot be opened: it is not a presentation "
                             f"(its main part is {part.content_type}).")
    _check_layouts(part.presentation)
    return part.presentation


def _check_layouts(presentation) -> None:
    """python-pptx quietly forgets a relationship whose part is missing from the zip; a slide
    that lost its layout that way would make PowerPoint repair the tailored file."""
    try:
        slides = list(presentation.slides)
    except Exception as exc:
        raise cannot_open(WHAT, exc) from exc
    from pptx.opc.constants import RELATIONSHIP_TYPE as RT

    for number, slide in enumerate(slides, start=1):
        if not any(rel.reltype == RT.SLIDE_LAYOUT for rel in slide.part.rels.values()):
            raise TailoringError(f"This {WHAT} cannot be opened: it is damaged (slide "
                                 f"{number} has lost its layout).")


# --- where the text is ----------------------------------------------------------------------


def _roots(slide) -> list:
    """The slide itself, and its speaker notes if it has any (never creating them)."""
    return [slide.element] + ([slide.notes_slide.element] if slide.has_notes_slide else [])


def _labelled_lines(slides: list) -> Iterator[tuple[str, list]]:
    for number, slide in enumerate(slides, start=1):
        for root, where in zip(_roots(slide), (f"slide {number}", f"slide {number} notes"),
                               strict=False):
            for paragraph in root.iter(A_P):
                for line in _lines(paragraph):
                    yield where, line


def _lines(paragraph) -> list[list]:
    """Runs' a:t elements, split wherever a line break, a field (slide number...) or
    anything else that is not a plain run sits between them."""
    lines: list[list] = [[]]
    for child in paragraph:
        if not isinstance(child.tag, str) or child.tag in _NOT_TEXT:
            continue
        text = child.find(A_T) if child.tag == A_R else None
        if text is not None:
            lines[-1].append(text)
        elif lines[-1]:
            lines.append([])
    return [line for line in lines if line]


# --- writing --------------------------------------------------------------------------------


def _write_text(text_element, parts: list[str]) -> None:
    text_element.text = parts[0]
    run = text_element.getparent()
    anchor = run
    for part in parts[1:]:
        line_break = run.makeelement(A_BR, {})
        properties = run.find(A_RPR)
        if properties is not None:
            line_break.append(copy.deepcopy(properties))
        next_run = copy.deepcopy(run)
        next_run.find(A_T).text = part
        anchor.addnext(line_break)
        line_break.addnext(next_run)
        anchor = next_run


def _drop_empty_runs(emptied: list) -> None:
    for text_element in emptied:
        run = text_element.getparent()
        if run is not None and run.getparent() is not None:
            run.getparent().remove(run)


# --- slide selection ------------------------------------------------------------------------


def _check_selection(slides: list[int], count: int) -> None:
    if not isinstance(slides, list | tuple) or not slides:
        raise TailoringError("Keep at least one slide.")
    seen: set[int] = set()
    for number in slides:
        if isinstance(number, bool) or not isinstance(number, int):
            raise TailoringError(f"“{str(number)[:20]}” is not a slide number.")
        if not 1 <= number <= count:
            raise TailoringError(f"There is no slide {number}: this file has {count} "
                                 f"slide{'s' if count != 1 else ''}.")
        if number in seen:
            raise TailoringError(f"Slide {number} is chosen more than once.")
        seen.add(number)


def _select_slides(presentation, slides: list[int]) -> None:
    """Keep the chosen slides in the chosen order; the others leave the package entirely."""
    part = presentation.part
    id_list = presentation.element.get_or_add_sldIdLst()
    entries = list(id_list)
    kept = [entries[number - 1] for number in slides]
    dropped = [entry for entry in entries if entry not in kept]
    dropped_parts = {part.related_part(entry.rId) for entry in dropped}
    for entry in entries:
        id_list.remove(entry)
    id_list.extend(kept)
    part.rename_slide_parts([entry.rId for entry in kept])  # slide1.xml... in the new order
    _fix_sections(presentation.element, [entry.id for entry in kept], slides)
    # Every part, not only the presentation and the kept slides: the outline view's list in
    # viewProps.xml (and the like) also links to slides, and one such link would keep a
    # dropped slide in the file, under a part name a renamed kept slide now uses.
    for source in list(part.package.iter_parts()):
        if source not in dropped_parts:
            _unlink(source, {rId for rId, rel in source.rels.items()
                             if not rel.is_external and rel.target_part in dropped_parts})


def _unlink(part, rIds: set[str]) -> None:
    """Drop relationships, and the links (custom shows, "go to slide" hyperlinks, outline
    view entries) using them, so nothing in the file points at a slide that is gone."""
    if not rIds:
        return
    root = getattr(part, "_element", None)
    # python-pptx keeps parts it has no class for (viewProps.xml...) as bytes.
    parsed = root is None and part.partname.ext == "xml"
    if parsed:
        root = parse_part(part.blob)
    for element in list(root.iter()) if root is not None else []:
        if element.get(R_ID) in rIds and element.getparent() is not None:
            element.getparent().remove(element)
    if parsed:
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                    standalone=True)
    for rId in rIds:
        part.rels.pop(rId)  # every use is gone: XmlPart.drop_rel's reference count is moot


def _fix_sections(root, kept_ids: list[int], slides: list[int]) -> None:
    """PowerPoint sections list slide ids: forget dropped ones; after a reorder the sections
    no longer describe contiguous runs of slides, so the deck goes without them."""
    section_lists = list(root.iter(f"{{{P14}}}sectionLst"))
    if not section_lists:
        return
    if slides != sorted(slides):
        for section_list in section_lists:
            extension = section_list.getparent()
            extension.getparent().remove(extension)
        return
    keep = {str(slide_id) for slide_id in kept_ids}
    for entry in list(root.iter(f"{{{P14}}}sldId")):
        if entry.get("id") not in keep:
            entry.getparent().remove(entry)
