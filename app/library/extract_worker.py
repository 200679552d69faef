"""Sandboxed worker that parses one untrusted file; started by extraction.extract().

It is run as a standalone script by file path, with `python -I`, rather than with
`python -m app.library.extract_worker`: `-m` would import app/__init__.py (Flask and the whole
app) before the worker's first line, and `-I` keeps the script's own directory and PYTHON*
variables off sys.path so no module in app/library can shadow the standard library. The
extraction modules beside it are then imported through a stand-in package whose path is this
directory, so their relative imports work without app/__init__.py or app/library/__init__.py.

Protocol: argv is `PATH CONTENT_TYPE THUMBNAIL_OUT MAX_CHARS MEMORY_LIMIT CPU_SECONDS`; stdout
gets one JSON object {"text", "page_count", "note", "thumbnail"}; the PNG thumbnail, if any, is
written to THUMBNAIL_OUT. Limits are set before any parser runs, so a hostile file can cost at
most MEMORY_LIMIT bytes of address space and CPU_SECONDS of CPU.

Test hook: if LOCKSTEP_EXTRACT_TEST_SLEEP is set (seconds), the worker sleeps that long before
parsing, so tests can exercise the parent's timeout without a pathological file.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import resource
import sys
import time
import types
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
MAX_THUMBNAIL_FILE = 16 * 1024 * 1024
EXIT_OUT_OF_MEMORY = 3
TEST_SLEEP_ENV = "LOCKSTEP_EXTRACT_TEST_SLEEP"
STANDIN_PACKAGE = "_lockstep_extraction"


def _load(name: str):
    if STANDIN_PACKAGE not in sys.modules:
        package = types.ModuleType(STANDIN_PACKAGE)
        package.__path__ = [str(HERE)]
        sys.modules[STANDIN_PACKAGE] = package
    return importlib.import_module(f"{STANDIN_PACKAGE}.{name}")


def _limit(kind: int, value: int) -> None:
    _, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    # Hard limit too, so nothing running in here can raise it again.
    resource.setrlimit(kind, (value, value))


def _sandbox(memory_limit: int, cpu_seconds: int) -> None:
    _limit(resource.RLIMIT_AS, memory_limit)
    _limit(resource.RLIMIT_CPU, cpu_seconds)
    _limit(resource.RLIMIT_FSIZE, MAX_THUMBNAIL_FILE)
    _limit(resource.RLIMIT_CORE, 0)
    # Damaged files make parsers log a warning per object; nobody reads them.
    logging.disable(logging.WARNING)
    warnings.simplefilter("ignore")


def _clean(text: str) -> str:
    # NUL breaks PostgreSQL text columns; lone surrogates cannot be encoded as UTF-8 JSON.
    return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


def _text(extractors, path: str, content_type: str, max_chars: int):
    out = extractors.Output(max_chars=max_chars)
    try:
        extractors.extract_text(path, content_type, out)
    except MemoryError:
        out.note(extractors.TOO_MUCH_MEMORY)
    except Exception:  # any parser failure on a hostile file is reported, never raised
        out.note(extractors.PARTLY_DAMAGED if out.text else extractors.DAMAGED)
    return out


def _thumbnail(thumbnails, path: str, content_type: str, out) -> bytes | None:
    kind = thumbnails.kind_for(content_type)
    try:
        if content_type == "application/pdf" and not out.locked:
            png = thumbnails.pdf_thumbnail(path)
            if png:
                return png
        elif content_type in ("image/png", "image/jpeg", "image/gif", "image/webp"):
            return thumbnails.image_thumbnail(path)
    except thumbnails.ThumbnailError as exc:
        out.note(str(exc))
    except Exception:  # a preview failure falls back to the card below
        if content_type.startswith("image/"):
            # For an image the preview is all there is, so its failure is worth telling.
            out.note("The image could not be read: it may be damaged.")
    title = "Password-protected" if out.locked else out.title
    return thumbnails.card(kind, title)


def run(argv: list[str]) -> dict:
    path, content_type, thumbnail_out = argv[0], argv[1], argv[2]
    max_chars, memory_limit, cpu_seconds = (int(value) for value in argv[3:6])
    _sandbox(memory_limit, cpu_seconds)
    delay = os.environ.get(TEST_SLEEP_ENV)
    if delay:
        time.sleep(float(delay))
    extractors, thumbnails = _load("extractors"), _load("thumbnails")
    out = _text(extractors, path, content_type, max_chars)
    try:
        png = _thumbnail(thumbnails, path, content_type, out)
    except Exception:  # even the card failing must not lose the text
        png = None
    if png:
        Path(thumbnail_out).write_bytes(png)
    return {
        "text": _clean(out.text),
        "page_count": out.page_count,
        "note": out.summary(),
        "thumbnail": bool(png),
    }


def main() -> int:
    try:
        result = run(sys.argv[1:])
    except MemoryError:
        return EXIT_OUT_OF_MEMORY
    # Bytes, so the locale of the calling environment cannot change the encoding.
    sys.stdout.buffer.write(json.dumps(result, ensure_ascii=False).encode("utf-8"))
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
