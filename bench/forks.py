"""Tailoring benchmark: the time to scan and render a 40-slide PPTX and a 30-page DOCX.

    .venv/bin/python bench/forks.py [--repeat 7] [--seed 7] [--slides 40] [--pages 30]

A seeded generator builds both files with python-docx and python-pptx: slides with titles,
bullets, a table, speaker notes and fields on most slides (some split across runs, as Word and
PowerPoint leave them); a document with headings, paragraphs, a table every few pages, a header
and footer, and fields throughout. Each operation runs `--repeat` times in this process and
the median (and the spread) is printed as a markdown table. The PPTX render also drops and
reorders slides. With LibreOffice installed, the DOCX is converted once to count its pages.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import REPO_ROOT, machine_info  # noqa: E402

from app.forks.office import render_docx, render_pptx, scan_docx, scan_pptx  # noqa: E402

FIELDS = ["company", "contact_name", "rep_name", "pain_point", "industry", "region"]
VALUES = {"company": "Globex Corporation", "contact_name": "Dana Whitfield",
          "rep_name": "Sam Ortega", "pain_point": "manual quote approvals\nslow renewals",
          "industry": "Logistics", "region": "EMEA"}
WORDS = ("pipeline revenue customer platform onboarding security workflow integration "
         "analytics renewal adoption forecast quota territory champion budget approval "
         "timeline rollout compliance dashboard migration").split()
WORDS_PER_PAGE = 275  # body words per page once headings and tables take their room (LibreOffice)


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def add_field(rng: random.Random, paragraph, run_factory) -> None:
    """A field as one run, or split across three runs with different formatting."""
    name = rng.choice(FIELDS)
    if rng.random() < 0.4:
        for piece, bold in (("{{", True), (name[:3], False), (name[3:] + "}}", None)):
            run_factory(paragraph, piece).font.bold = bold
    else:
        run_factory(paragraph, "{{" + name + "}}")


def build_pptx(path: Path, slides: int, seed: int) -> None:
    from pptx import Presentation
    from pptx.util import Inches

    rng = random.Random(seed)
    presentation = Presentation()

    def run(paragraph, text):
        new = paragraph.add_run()
        new.text = text
        return new

    for number in range(1, slides + 1):
        slide = presentation.slides.add_slide(presentation.slide_layouts[1])
        slide.shapes.title.text = f"Slide {number}: {sentence(rng, 4)}"
        frame = slide.placeholders[1].text_frame
        frame.text = sentence(rng, 8)
        for _ in range(4):
            paragraph = frame.add_paragraph()
            run(paragraph, sentence(rng, rng.randrange(6, 14)) + " ")
            if rng.random() < 0.5:
                add_field(rng, paragraph, run)
        if number % 8 == 0:
            shape = slide.shapes.add_table(4, 3, Inches(1), Inches(5), Inches(8), Inches(1.5))
            for cell in shape.table.iter_cells():
                cell.text = rng.choice([sentence(rng, 3), "{{company}} " + sentence(rng, 2)])
        notes = slide.notes_slide.notes_text_frame
        notes.text = f"Talk track for {{{{contact_name}}}}: {sentence(rng, 25)}"
    presentation.save(path)


def build_docx(path: Path, pages: int, seed: int) -> None:
    from docx import Document

    rng = random.Random(seed)
    document = Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = "Prepared for {{company}} by {{rep_name}}"
    section.footer.paragraphs[0].text = "Confidential: {{company}} and Initech"
    words = 0
    while words < pages * WORDS_PER_PAGE:
        document.add_heading(sentence(rng, 5), level=2)
        for _ in range(rng.randrange(3, 6)):
            paragraph = document.add_paragraph()
            text = sentence(rng, rng.randrange(40, 90))
            paragraph.add_run(text + " ")
            words += len(text.split())
            if rng.random() < 0.6:
                add_field(rng, paragraph, lambda p, t: p.add_run(t))
        if rng.random() < 0.3:
            table = document.add_table(rows=4, cols=3)
            for cell in (c for row in table.rows for c in row.cells):
                cell.text = rng.choice([sentence(rng, 4), "{{pain_point}} " + sentence(rng, 2)])
            words += 60
    document.save(path)


def libreoffice_pages(path: Path, workdir: Path) -> int | None:
    if not shutil.which("soffice"):
        return None
    from pypdf import PdfReader

    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{workdir}/lo",
                    "--convert-to", "pdf", "--outdir", str(workdir), str(path)],
                   check=True, capture_output=True, timeout=300)
    return len(PdfReader(workdir / f"{path.stem}.pdf").pages)


def timed(operation, repeat: int) -> dict[str, float]:
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        operation()
        seconds.append(time.perf_counter() - started)
    return {"median_ms": round(statistics.median(seconds) * 1000, 1),
            "min_ms": round(min(seconds) * 1000, 1), "max_ms": round(max(seconds) * 1000, 1)}


def selection(slides: int, seed: int) -> list[int]:
    """Drop about a fifth of the slides and move the last few to the front."""
    rng = random.Random(seed)
    kept = [n for n in range(1, slides + 1) if rng.random() > 0.2]
    return kept[-3:] + kept[:-3]


def run(args, workdir: Path) -> dict:
    deck, document = workdir / "deck.pptx", workdir / "report.docx"
    build_pptx(deck, args.slides, args.seed)
    build_docx(document, args.pages, args.seed)
    keep = selection(args.slides, args.seed)
    deck_values = {k: v for k, v in VALUES.items() if k in scan_pptx(deck).fields}
    doc_values = {k: v for k, v in VALUES.items() if k in scan_docx(document).fields}
    rows = {
        "scan_pptx": timed(lambda: scan_pptx(deck), args.repeat),
        "render_pptx": timed(lambda: render_pptx(deck, deck_values, keep, workdir / "o.pptx"),
                             args.repeat),
        "render_pptx (all slides)": timed(
            lambda: render_pptx(deck, deck_values, None, workdir / "o.pptx"), args.repeat),
        "scan_docx": timed(lambda: scan_docx(document), args.repeat),
        "render_docx": timed(lambda: render_docx(document, doc_values, workdir / "o.docx"),
                             args.repeat),
    }
    rows.update(_previews(deck, document, workdir, max(1, args.repeat // 2)))
    return {"files": {"pptx_slides": args.slides, "pptx_kept": len(keep),
                      "pptx_kb": deck.stat().st_size // 1024,
                      "pptx_fields": len(deck_values),
                      "docx_kb": document.stat().st_size // 1024,
                      "docx_fields": len(doc_values),
                      "docx_pages_libreoffice": libreoffice_pages(document, workdir)},
            "timings": rows}


def _previews(deck: Path, document: Path, workdir: Path, repeat: int) -> dict:
    """The page previews an upload of each file waits for: LibreOffice's layout as PDF through
    the library's sandboxed converter (a cold start of soffice each time, as at upload)."""
    from app.library import office_pdf
    from app.library.office_pdf import SUFFIXES

    soffice = office_pdf.find_soffice(None)
    if soffice is None:
        return {}
    kinds = {suffix: content_type for content_type, suffix in SUFFIXES.items()}

    def convert(path: Path) -> None:
        office_pdf.cleanup(office_pdf.to_pdf(str(path), kinds[path.suffix], soffice,
                                             str(workdir), 300))

    return {"LibreOffice preview of the PPTX": timed(lambda: convert(deck), repeat),
            "LibreOffice preview of the DOCX": timed(lambda: convert(document), repeat)}


def markdown(results: dict, repeat: int) -> str:
    files = results["files"]
    lines = [f"PPTX: {files['pptx_slides']} slides ({files['pptx_kb']} KB), render keeps "
             f"{files['pptx_kept']} reordered; DOCX: {files['docx_kb']} KB, "
             f"{files['docx_pages_libreoffice'] or '?'} pages in LibreOffice. "
             f"Median of {repeat} runs.", "",
             "| operation | median ms | min ms | max ms |", "|---|---:|---:|---:|"]
    for name, row in results["timings"].items():
        lines.append(f"| {name} | {row['median_ms']} | {row['min_ms']} | {row['max_ms']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--slides", type=int, default=40)
    parser.add_argument("--pages", type=int, default=30)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="lockstep-bench-forks-") as tmp:
        results = run(args, Path(tmp))
    from importlib.metadata import version

    results["machine"] = {**machine_info(), **{name: version(name) for name in
                                               ("python-docx", "python-pptx", "lxml")}}
    print(markdown(results, args.repeat))
    out = REPO_ROOT / "bench" / "results" / f"forks-{int(time.time())}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1))
    print(f"results in {out.relative_to(REPO_ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
