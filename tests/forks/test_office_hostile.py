"""Files python-docx and python-pptx cannot open, and zip bombs: a TailoringError for the rep,
never another exception, and never an output file."""

from __future__ import annotations

import zipfile

import pytest
from forks.office_files import docx_with_split_field, pptx_deck

from app.forks.office import TailoringError, render_docx, render_pptx, scan_docx, scan_pptx

ENGINES = {
    "docx": (scan_docx, lambda src, out: render_docx(src, {}, out), "This Word file"),
    "pptx": (scan_pptx, lambda src, out: render_pptx(src, {}, None, out), "This PowerPoint file"),
}


MAIN_PART = {"docx": "word/document.xml", "pptx": "ppt/presentation.xml"}


def _garbage(tmp_path, kind, source):
    path = tmp_path / f"garbage.{kind}"
    path.write_bytes(b"\x00\x01 not an office file at all " * 50)
    return path


def _plain_zip(tmp_path, kind, source):
    path = tmp_path / f"plain.{kind}"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return path


def _truncated(tmp_path, kind, source):
    path = tmp_path / f"truncated.{kind}"
    path.write_bytes(source.read_bytes()[: source.stat().st_size // 2])
    return path


def _broken_main_xml(tmp_path, kind, source):
    """A real package whose main part is not XML any more."""
    path = tmp_path / f"broken.{kind}"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w") as new:
        for item in old.infolist():
            new.writestr(item, b"<oops" if item.filename == MAIN_PART[kind] else old.read(item))
    return path


def _zip_bomb(tmp_path, kind, source):
    path = tmp_path / f"bomb.{kind}"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open(MAIN_PART[kind], "w") as member:
            block = b"\0" * (1 << 20)
            for _ in range(60):  # 60 MB of zeros: far past 200x the packed size
                member.write(block)
    return path


BAD_FILES = {"garbage": _garbage, "zip that is not OOXML": _plain_zip,
             "truncated": _truncated, "main part not XML": _broken_main_xml,
             "zip bomb": _zip_bomb}


@pytest.fixture
def sources(tmp_path):
    return {"docx": docx_with_split_field(tmp_path / "ok.docx"),
            "pptx": pptx_deck(tmp_path / "ok.pptx", ["One {{company}}"])}


@pytest.mark.parametrize("kind", sorted(ENGINES))
@pytest.mark.parametrize("bad", sorted(BAD_FILES))
def test_unreadable_files_are_a_tailoring_error(tmp_path, sources, kind, bad):
    scan, render, what = ENGINES[kind]
    path = BAD_FILES[bad](tmp_path, kind, sources[kind])
    for attempt in (lambda: scan(path), lambda: render(path, tmp_path / "out")):
        with pytest.raises(TailoringError) as caught:
            attempt()
        assert str(caught.value).startswith(f"{what} cannot be ")
    assert not (tmp_path / "out").exists()


def test_the_zip_bomb_message_says_why(tmp_path, sources):
    with pytest.raises(TailoringError, match="expands to 60 MB when unpacked"):
        scan_docx(_zip_bomb(tmp_path, "docx", sources["docx"]))


def test_a_pptx_given_as_a_docx_and_the_other_way_round(sources, tmp_path):
    docx, pptx = sources["docx"], sources["pptx"]
    with pytest.raises(TailoringError, match="^This Word file cannot be opened: it is not a Word"):
        render_docx(pptx, {}, tmp_path / "out.docx")
    with pytest.raises(TailoringError,
                       match="^This PowerPoint file cannot be opened: it is not a presentation"):
        scan_pptx(docx)
    assert not (tmp_path / "out.docx").exists()


def test_a_missing_file_is_a_tailoring_error(tmp_path):
    with pytest.raises(TailoringError, match="cannot be opened"):
        scan_docx(tmp_path / "nowhere.docx")


def _without(source, path, member):
    """A copy of a real package with one part left out of the zip."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w") as new:
        for item in old.infolist():
            if item.filename != member:
                new.writestr(item, old.read(item))
    return path


@pytest.mark.parametrize(("kind", "member", "reason"), [
    ("docx", "[Content_Types].xml", "it is a zip archive, but not an Office file."),
    ("docx", "word/styles.xml", "it is damaged (its part word/styles.xml is missing)."),
    ("pptx", "ppt/slides/slide1.xml", "it is damaged (a part it refers to is missing)."),
    # python-pptx forgets the relationship quietly: the tailored slide would have no layout.
    ("pptx", "ppt/slideLayouts/slideLayout2.xml",
     "it is damaged (slide 1 has lost its layout)."),
])
def test_a_package_missing_a_part_says_so(tmp_path, sources, kind, member, reason):
    scan, render, what = ENGINES[kind]
    path = _without(sources[kind], tmp_path / f"missing.{kind}", member)
    for attempt in (lambda: scan(path), lambda: render(path, tmp_path / "out")):
        with pytest.raises(TailoringError) as caught:
            attempt()
        assert str(caught.value) == f"{what} cannot be opened: {reason}"
    assert not (tmp_path / "out").exists()
