"""Bounded text extraction and thumbnails for uploaded files.

Parsers for PDF, Office and image formats have a long history of hangs, memory blow-ups and
crashes on hostile input, so none of them run in this process: each file is handed to a fresh
worker process (extract_worker.py) with its own memory and CPU limits and a wall-clock timeout.
Whatever happens there, extract() returns an Extraction with a note for the user; it never raises
because a file is bad.
"""

from __future__ import annotations

import json
import logging
import math
import os
import signal
import subprocess
import sys
import tempfile
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from app.library.extract_worker import EXIT_OUT_OF_MEMORY, TEST_SLEEP_ENV
from app.library.extractors import DAMAGED, TOO_MUCH_MEMORY, reads_file

log = logging.getLogger(__name__)

WORKER = Path(__file__).resolve().with_name("extract_worker.py")
TIMEOUT_NOTE = "Text extraction took too long and was stopped."
MB = 1024 * 1024
MAX_THUMBNAIL_BYTES = 4 * MB
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# The worker parses hostile files: it gets what it needs to run, not the app's secrets.
_ENV_PASSTHROUGH = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", TEST_SLEEP_ENV)


@dataclass
class Extraction:
    text: str
    page_count: int | None
    note: str | None
    thumbnail_png: bytes | None


def extract(
    path: str,
    content_type: str,
    *,
    timeout: float = 20.0,
    max_chars: int = 2_000_000,
    max_bytes: int = 200 * 1024 * 1024,
    memory_limit: int = 1024 * 1024 * 1024,
) -> Extraction:
    """Extract searchable text, page count and a PNG thumbnail from the file at `path`."""
    try:
        size = os.path.getsize(path)
    except OSError:
        return _failed(DAMAGED)
    if size > max_bytes and reads_file(content_type):
        megabytes = math.ceil(size / MB)
        return _failed(f"The file is too large for text extraction ({megabytes} MB).")
    fd, thumbnail_path = tempfile.mkstemp(prefix="lockstep-thumb-", suffix=".png")
    os.close(fd)
    try:
        return _run_worker(path, content_type, thumbnail_path, timeout, max_chars, memory_limit)
    finally:
        with suppress(OSError):
            os.unlink(thumbnail_path)


def _failed(note: str) -> Extraction:
    return Extraction(text="", page_count=None, note=note, thumbnail_png=None)


def _run_worker(
    path: str,
    content_type: str,
    thumbnail_path: str,
    timeout: float,
    max_chars: int,
    memory_limit: int,
) -> Extraction:
    command = [
        sys.executable,
        "-I",  # see extract_worker's docstring: keeps the app and stray modules off sys.path
        str(WORKER),
        os.path.abspath(path),
        content_type,
        thumbnail_path,
        str(max_chars),
        str(memory_limit),
        # CPU limit backs up the wall-clock timeout should the parent die before enforcing it.
        str(math.ceil(timeout) + 1),
    ]
    return _result(_spawn(command, timeout), thumbnail_path, max_chars)


def _spawn(command: list[str], timeout: float) -> subprocess.CompletedProcess | str:
    """Run the worker; a note string instead of a result when it could not finish."""
    try:
        # Fixed interpreter and script, no shell; the file path is a plain argument.
        completed = subprocess.run(  # noqa: S603
            command,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            env=_worker_env(),
            check=False,
        )
    except subprocess.TimeoutExpired:
        # run() has already killed and reaped the worker.
        return TIMEOUT_NOTE
    except OSError:
        log.exception("Could not start the extraction worker")
        return DAMAGED
    return completed


def _worker_env() -> dict[str, str]:
    return {name: os.environ[name] for name in _ENV_PASSTHROUGH if name in os.environ}


def _result(
    completed: subprocess.CompletedProcess | str, thumbnail_path: str, max_chars: int
) -> Extraction:
    if isinstance(completed, str):
        return _failed(completed)
    if completed.returncode == -signal.SIGXCPU:
        return _failed(TIMEOUT_NOTE)
    if completed.returncode == EXIT_OUT_OF_MEMORY:
        return _failed(TOO_MUCH_MEMORY)
    if completed.returncode != 0:
        log.warning(
            "Extraction worker failed (exit %s): %s",
            completed.returncode,
            completed.stderr[-2000:].decode("utf-8", "replace"),
        )
        return _failed(DAMAGED)
    try:
        data = json.loads(completed.stdout)
    except ValueError:
        return _failed(DAMAGED)
    if not isinstance(data, dict):
        return _failed(DAMAGED)
    return _from_json(data, thumbnail_path, max_chars)


def _from_json(data: dict, thumbnail_path: str, max_chars: int) -> Extraction:
    text = data.get("text")
    page_count = data.get("page_count")
    note = data.get("note")
    valid_count = isinstance(page_count, int) and not isinstance(page_count, bool)
    return Extraction(
        text=text[:max_chars] if isinstance(text, str) else "",
        page_count=page_count if valid_count and page_count >= 0 else None,
        note=note if isinstance(note, str) and note else None,
        thumbnail_png=_read_thumbnail(thumbnail_path) if data.get("thumbnail") else None,
    )


def _read_thumbnail(thumbnail_path: str) -> bytes | None:
    try:
        with open(thumbnail_path, "rb") as fh:
            png = fh.read(MAX_THUMBNAIL_BYTES + 1)
    except OSError:
        return None
    if len(png) > MAX_THUMBNAIL_BYTES or not png.startswith(PNG_SIGNATURE):
        return None
    return png
