"""Helpers for the tailoring tests: build Word and PowerPoint files with python-docx and
python-pptx, and read back what the tests assert (run texts and their formatting)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from docx import Document
from docx.shared import Pt
from pptx import Presentation
from pptx.util import Inches

# Colours as hex: python-docx and python-pptx each have their own RGBColor class.
RED, BLUE = "C01010", "1020C0"


def style_run(run, bold=None, italic=None, size=None, color=None):
    run.font.bold, run.font.italic = bold, italic
    if size:
        run.font.size = Pt(size)
    if color is not None:
        if type(run).__module__.startswith("docx"):
            from docx.shared import RGBColor
        else:
            from pptx.dml.color import RGBColor
        run.font.color.rgb = RGBColor.from_string(color)
    return run


def add_runs(paragraph, pieces):
    """pieces: (text, {bold/italic/size/color}) in order."""
    for text, style in pieces:
        style_run(paragraph.add_run(text), **style)
    return paragraph


def run_facts(runs) -> list[tuple]:
    """(text, bold, italic, size in points, colour) of each run: what the tests compare."""
    facts = []
    for run in runs:
        size = run.font.size.pt if run.font.size is not None else None
        color = str(run.font.color.rgb) if run.font.color and run.font.color.type else None
        facts.append((run.text, run.font.bold, run.font.italic, size, color))
    return facts


# The marketer's Word paragraph: the placeholder split across four runs of different formats.
SPLIT_PIECES = [
    ("Intro ", {"size": 10}),
    ("Dear {{", {"bold": True, "size": 14}),
    ("comp", {"italic": True}),
    ("any", {"color": RED}),
    ("}}, welcome", {"size": 9, "color": BLUE}),
    (" outro", {"italic": True, "size": 11}),
]


def docx_with_split_field(path: Path) -> Path:
    document = Document()
    add_runs(document.add_paragraph(), SPLIT_PIECES)
    document.save(path)
    return path


def pptx_deck(path: Path, titles: list[str], notes: list[str] | None = None) -> Path:
    """One "Title and Content" slide per title, with notes when given."""
    presentation = Presentation()
    for index, title in enumerate(titles):
        slide = presentation.slides.add_slide(presentation.slide_layouts[1])
        slide.shapes.title.text = title
        slide.placeholders[1].text_frame.text = f"Body of slide {index + 1}"
        if notes:
            slide.notes_slide.notes_text_frame.text = notes[index]
    presentation.save(path)
    return path


def add_textbox(slide, pieces):
    box = slide.shapes.add_textbox(Inches(1), Inches(5), Inches(6), Inches(1))
    paragraph = box.text_frame.paragraphs[0]
    for text, style in pieces:
        run = paragraph.add_run()
        run.text = text
        style_run(run, **style)
    return box


def slide_titles(path: Path) -> list[str]:
    return [slide.shapes.title.text_frame.text for slide in Presentation(path).slides]


def dangling_relationships(path: Path) -> list[str]:
    """Internal relationship targets that are not in the zip: what makes PowerPoint repair."""
    import posixpath

    from lxml import etree

    missing = []
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        for name in names:
            if not name.endswith(".rels"):
                continue
            base = posixpath.dirname(posixpath.dirname(name))
            for rel in etree.fromstring(archive.read(name)):
                if rel.get("TargetMode") == "External":
                    continue
                target = rel.get("Target")
                full = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                    posixpath.join(base, target))
                if full not in names:
                    missing.append(f"{name} -> {target}")
    return missing
