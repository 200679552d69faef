"""Tests for the demo library generator: real, openable files with searchable text.

Plain pytest, no Flask or database: the generator must stay usable on its own.
"""
# ruff: noqa: S101 - pytest reports failures through bare asserts

import hashlib
import re
import time
from pathlib import Path

import docx
import openpyxl
import pptx
import pytest
from PIL import Image
from pypdf import PdfReader

from app.demo.content import INDUSTRIES, PERSONAS, STAGES
from app.demo.generate import DemoAsset, generate_demo_library

TEXT_SUFFIXES = {".pdf", ".docx", ".pptx", ".md", ".html"}


def _docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def _pptx_text(path: Path) -> str:
    parts = []
    for slide in pptx.Presentation(str(path)).slides:
        parts += [s.text_frame.text for s in slide.shapes if s.has_text_frame]
        parts.append(slide.notes_slide.notes_text_frame.text)
    return "\n".join(parts)


def _xlsx_text(path: Path) -> str:
    workbook = openpyxl.load_workbook(path)
    return "\n".join(str(cell.value) for sheet in workbook for row in sheet.iter_rows()
                     for cell in row if cell.value is not None)


def extract_text(path: Path) -> str:
    """What a full-text indexer would see; images have no text."""
    if path.suffix == ".pdf":
        return "\n".join(page.extract_text() for page in PdfReader(path).pages)
    if path.suffix == ".docx":
        return _docx_text(path)
    if path.suffix == ".pptx":
        return _pptx_text(path)
    if path.suffix == ".xlsx":
        return _xlsx_text(path)
    if path.suffix == ".html":
        return re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))
    if path.suffix == ".md":
        return path.read_text(encoding="utf-8")
    return ""


def _texts(out_dir: Path, assets: list[DemoAsset]) -> dict[str, str]:
    return {a.filename: extract_text(out_dir / a.filename) for a in assets}


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> tuple[Path, list[DemoAsset], float]:
    out_dir = tmp_path_factory.mktemp("demo")
    started = time.perf_counter()
    assets = generate_demo_library(out_dir, seed=2026)
    return out_dir, assets, time.perf_counter() - started


@pytest.fixture(scope="module")
def texts(library) -> dict[str, str]:
    out_dir, assets, _ = library
    return _texts(out_dir, assets)


def _by_suffix(assets: list[DemoAsset], *suffixes: str) -> list[DemoAsset]:
    return [a for a in assets if Path(a.filename).suffix in suffixes]


def test_about_forty_files_written_matching_metadata(library):
    out_dir, assets, _ = library
    assert 36 <= len(assets) <= 48
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(a.filename for a in assets)


def test_filenames_unique_and_safe(library):
    _, assets, _ = library
    names = [a.filename for a in assets]
    assert len(set(names)) == len(names)
    for name in names:
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]*\.[a-z]+", name), name
        assert "/" not in name and "\\" not in name and ".." not in name


def test_every_format_is_represented(library):
    _, assets, _ = library
    suffixes = {Path(a.filename).suffix for a in assets}
    assert suffixes >= {".pdf", ".docx", ".pptx", ".xlsx", ".md", ".html", ".png", ".jpg"}


def test_metadata_values_are_from_the_taxonomy(library):
    _, assets, _ = library
    assert {a.stage for a in assets} == set(STAGES)
    assert {a.persona for a in assets} <= set(PERSONAS)
    assert {a.industry for a in assets} == set(INDUSTRIES)
    assert 3 <= len({a.product for a in assets}) <= 4
    for asset in assets:
        assert asset.title and asset.description and asset.tags
        assert asset.status in {"published", "draft", "archived"}


def test_status_mix_and_stale_reviews(library):
    _, assets, _ = library
    statuses = [a.status for a in assets]
    assert statuses.count("draft") >= 2
    assert statuses.count("archived") >= 1
    assert statuses.count("published") > len(assets) // 2
    assert sum(a.review_in_days < 0 for a in assets) >= 2


def test_pdfs_open_and_contain_their_title(library, texts):
    out_dir, assets, _ = library
    for asset in _by_suffix(assets, ".pdf"):
        assert 1 <= len(PdfReader(out_dir / asset.filename).pages) <= 3
        title_words = [w for w in re.findall(r"[A-Za-z]+", asset.title) if len(w) > 3]
        assert any(w in texts[asset.filename] for w in title_words), asset.filename


def test_docx_documents_open_and_tables_where_expected(library):
    out_dir, assets, _ = library
    for asset in _by_suffix(assets, ".docx"):
        document = docx.Document(str(out_dir / asset.filename))
        assert document.paragraphs
        if "battlecard" in asset.filename or "case-study" in asset.filename:
            assert document.tables, asset.filename


def test_decks_have_five_to_eight_slides_with_speaker_notes(library):
    out_dir, assets, _ = library
    decks = _by_suffix(assets, ".pptx")
    assert len(decks) >= 3
    for asset in decks:
        slides = list(pptx.Presentation(str(out_dir / asset.filename)).slides)
        assert 5 <= len(slides) <= 8, asset.filename
        for slide in slides:
            assert slide.has_notes_slide
            assert len(slide.notes_slide.notes_text_frame.text.split()) >= 15


def test_workbooks_contain_formulas_and_numbers(library):
    out_dir, assets, _ = library
    for asset in _by_suffix(assets, ".xlsx"):
        cells = [c.value for sheet in openpyxl.load_workbook(out_dir / asset.filename)
                 for row in sheet.iter_rows() for c in row if c.value is not None]
        assert any(isinstance(v, str) and v.startswith("=") for v in cells), asset.filename
        assert any(isinstance(v, int | float) for v in cells), asset.filename


def test_images_open_with_pillow(library):
    out_dir, assets, _ = library
    images = _by_suffix(assets, ".png", ".jpg")
    assert {Path(a.filename).suffix for a in images} == {".png", ".jpg"}
    for asset in images:
        with Image.open(out_dir / asset.filename) as image:
            image.verify()
            assert image.format == ("PNG" if asset.filename.endswith(".png") else "JPEG")


def test_email_templates_have_merge_fields_and_inline_styles(library, texts):
    out_dir, assets, _ = library
    emails = [a for a in assets if a.filename.startswith("email-")]
    assert {Path(a.filename).suffix for a in emails} == {".html", ".md"}
    for asset in emails:
        raw = (out_dir / asset.filename).read_text(encoding="utf-8")
        assert "{{first_name}}" in raw and "{{account_name}}" in raw, asset.filename
        if asset.filename.endswith(".html"):
            assert 'style="' in raw and "<style" not in raw


def test_text_documents_have_enough_words_for_search(library, texts):
    _, assets, _ = library
    for asset in _by_suffix(assets, *TEXT_SUFFIXES):
        words = len(texts[asset.filename].split())
        assert 150 <= words <= 1200, (asset.filename, words)
        assert texts[asset.filename].isascii(), asset.filename


@pytest.mark.parametrize(("term", "expected"), [
    ("HIPAA", "hipaa-compliance-brief.pdf"),
    ("security questionnaire", "security-questionnaire-answers.docx"),
    ("Fabrikam BI", "battlecard-fabrikam-bi.docx"),
    ("Harborview", "case-study-harborview-bank.docx"),
    ("month-end close", "month-end-close-solution-brief.pdf"),
    ("pilot", "pilot-success-plan.docx"),
    ("OPC UA", "northwind-edge-datasheet.pdf"),
])
def test_topic_searches_find_specific_assets(texts, term, expected):
    hits = {name for name, text in texts.items() if term.lower() in text.lower()}
    assert expected in hits
    assert len(hits) < len(texts)  # a topic word that is everywhere would not help search


def test_small_and_fast(library):
    out_dir, _, seconds = library
    assert sum(p.stat().st_size for p in out_dir.iterdir()) < 5 * 1024 * 1024
    assert seconds < 10


def _digests(out_dir: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in out_dir.iterdir()}


def test_same_seed_is_deterministic(library, texts, tmp_path):
    out_dir, assets, _ = library
    again = generate_demo_library(tmp_path, seed=2026)
    assert again == assets
    assert _texts(tmp_path, again) == texts
    # Dates and zip timestamps are pinned, so even the bytes match.
    assert _digests(tmp_path) == _digests(out_dir)


def test_different_seed_changes_content_but_not_catalog(library, texts, tmp_path):
    _, assets, _ = library
    other = generate_demo_library(tmp_path, seed=7)
    assert [a.filename for a in other] == [a.filename for a in assets]
    assert [a.review_in_days for a in other] != [a.review_in_days for a in assets]
    assert _texts(tmp_path, other) != texts
    assert all((a.review_in_days < 0) == (b.review_in_days < 0) for a, b in zip(
        other, assets, strict=True))
