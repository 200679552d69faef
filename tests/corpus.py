"""The test corpus: real PDF and Office files written by real tools.

Two layers, looked up by a path relative to the corpus (`pdf/pypdf/crazyones.pdf`,
`office/docx/tbl-having-tables.docx`):

- **base**, always there: the test files shipped in the pinned source distributions of pypdf,
  python-docx and python-pptx (`tests/corpus-sdists.txt`, with hashes). `make test` fetches them
  once from the package registry into `.cache/corpus/` (git-ignored), so a fresh clone in an empty
  folder tests against real files, and CI tests that same path.
- **extra**, optional: `../shared/corpus` beside the repository, or `$LOCKSTEP_CORPUS`. Its files
  are added on top (same layout; the PDFs of py-pdf/sample-files with their `files.json`).

Run as a script to fetch the base layer: `python tests/corpus.py [--force]`.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parents[1]
SDISTS = ROOT / "tests" / "corpus-sdists.txt"
CACHE = ROOT / ".cache" / "corpus"
SUFFIXES = frozenset({".pdf", ".docx", ".docm", ".dotx", ".pptx", ".pptm", ".potx", ".ppsx",
                      ".xlsx", ".xlsm"})
# Where each project keeps its test files inside the sdist, and where they go in the corpus.
LAYOUT = {
    "pypdf": (("resources/",), "pdf/pypdf"),
    "python_docx": (("tests/test_files/", "features/steps/test_files/"), "office/docx"),
    "python_pptx": (("tests/test_files/", "features/steps/test_files/"), "office/pptx"),
}
LICENCES = {"pypdf": "pdf/pypdf/LICENSE", "python_docx": "office/LICENSE-python-docx",
            "python_pptx": "office/LICENSE-python-pptx"}


def base_dir() -> Path:
    """The fetched layer for the pinned sdists (a new folder whenever the pins change)."""
    stamp = hashlib.sha256(SDISTS.read_bytes()).hexdigest()[:12]
    return CACHE / stamp


def extra_dir() -> Path | None:
    candidates = [Path(os.environ["LOCKSTEP_CORPUS"])] if os.environ.get("LOCKSTEP_CORPUS") else []
    candidates.append(ROOT.parent / "shared" / "corpus")
    return next((path for path in candidates if path.is_dir()), None)


def roots() -> list[Path]:
    """Base first, extra on top; the base is missing only before `make test` fetched it."""
    found = [base_dir()] if (base_dir() / ".complete").exists() else []
    extra = extra_dir()
    return found + ([extra] if extra else [])


def path(relative: str) -> Path:
    for root in reversed(roots()):
        candidate = root / relative
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"{relative} is not in the test corpus ({missing_hint()})")


def files(suffixes: Iterable[str] = SUFFIXES) -> dict[str, Path]:
    """Every corpus file with one of `suffixes`, by relative path (the extra layer wins)."""
    wanted = set(suffixes)
    found: dict[str, Path] = {}
    for root in roots():
        for item in sorted(root.rglob("*")):
            if item.suffix.lower() in wanted and item.is_file():
                found[item.relative_to(root).as_posix()] = item
    return found


def missing_hint() -> str:
    return "run `make corpus` (or `python tests/corpus.py`) to fetch the base layer"


# --- fetching -------------------------------------------------------------------------------


def fetch(force: bool = False) -> Path:
    target = base_dir()
    if (target / ".complete").exists() and not force:
        return target
    with tempfile.TemporaryDirectory(prefix="lockstep-corpus-") as tmp:
        # Hash-checked: the corpus is data the tests trust, so it must be exactly these files.
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                        "--no-binary", ":all:", "--require-hashes", "-r", str(SDISTS),
                        "-d", tmp], check=True)
        building = target.with_name(target.name + ".partial")
        shutil.rmtree(building, ignore_errors=True)
        for archive in sorted(Path(tmp).glob("*.tar.gz")):
            _unpack(archive, building)
        (building / ".complete").write_text("ok\n", encoding="utf-8")
        shutil.rmtree(target, ignore_errors=True)
        building.rename(target)
    return target


def _unpack(archive: Path, into: Path) -> None:
    project = archive.name.split("-")[0]
    prefixes, destination = LAYOUT[project]
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            parts = PurePosixPath(member.name).parts
            inner = "/".join(parts[1:])  # below the sdist's own top folder
            if not member.isfile() or ".." in parts:
                continue
            if inner == "LICENSE":
                _write(tar, member, into / LICENCES[project])
                continue
            prefix = next((p for p in prefixes if inner.startswith(p)), None)
            if prefix and PurePosixPath(inner).suffix.lower() in SUFFIXES:
                _write(tar, member, into / destination / inner[len(prefix):])


def _write(tar: tarfile.TarFile, member: tarfile.TarInfo, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    source = tar.extractfile(member)
    assert source is not None
    with source, open(target, "wb") as out:
        shutil.copyfileobj(source, out)


if __name__ == "__main__":
    where = fetch(force="--force" in sys.argv)
    count = sum(1 for _ in where.rglob("*") if _.suffix.lower() in SUFFIXES)
    print(f"test corpus: {count} files in {where.relative_to(ROOT)}"
          + (f", plus {extra_dir()}" if extra_dir() else ""))
