"""Word, PowerPoint and OpenDocument files laid out as PDF by LibreOffice, for real previews.

LibreOffice is optional at run time: without `soffice` (or with OFFICE_PREVIEWS off) these
files keep today's text cards. When it runs, it runs like the extraction worker: a subprocess
in its own session with a throwaway profile and home, the minimal environment, no stdin, and a
wall-clock timeout that kills its whole process group, so a hostile file can cost at most that
time. Its output is a PDF we made, previewed with pdfium like any PDF.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import tempfile
from contextlib import suppress
from pathlib import Path

log = logging.getLogger(__name__)

# What LibreOffice needs to know the file's format; other kinds are not converted.
SUFFIXES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.oasis.opendocument.presentation": ".odp",
    "application/msword": ".doc",
    "application/vnd.ms-powerpoint": ".ppt",
}
MAX_PDF_BYTES = 200 * 1024 * 1024


class ConversionError(Exception):
    """LibreOffice could not lay the file out; the reason is logged, the upload goes on."""


def converts(content_type: str) -> bool:
    return content_type in SUFFIXES


def find_soffice(configured: str | None) -> str | None:
    """The soffice to run: the configured path if it is executable, else the one on PATH."""
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(path: str, content_type: str, soffice: str, out_dir: str, timeout: float) -> Path:
    """Convert the file at `path` into `out_dir`; returns the PDF's path."""
    work = Path(tempfile.mkdtemp(prefix="lockstep-soffice-", dir=out_dir))
    source = work / f"source{SUFFIXES[content_type]}"
    os.symlink(os.path.abspath(path), source)
    command = [soffice, "--headless", "--norestore", "--nolockcheck", "--nodefault",
               "--nologo", f"-env:UserInstallation=file://{work / 'profile'}",
               "--convert-to", "pdf", "--outdir", str(work / "out"), str(source)]
    pdf = work / "out" / "source.pdf"
    try:
        _run(command, work, timeout)
        if not pdf.is_file() or pdf.stat().st_size == 0:
            raise ConversionError("LibreOffice wrote no PDF")
        if pdf.stat().st_size > MAX_PDF_BYTES:
            raise ConversionError("the PDF LibreOffice wrote is too large")
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)  # its profile and whatever it half-wrote
        raise
    return pdf


def _run(command: list[str], work: Path, timeout: float) -> None:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(work),
           "LANG": os.environ.get("LANG", "C.UTF-8"), "TMPDIR": str(work)}
    # Fixed program and arguments, no shell; the file is a path inside our own folder.
    process = subprocess.Popen(  # noqa: S603
        command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=env, start_new_session=True)
    try:
        _, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        _kill_group(process)
        process.communicate()  # reap it and close its pipes
        raise ConversionError(f"LibreOffice took longer than {timeout:g} s") from exc
    finally:
        _kill_group(process)  # helpers it left behind
    if process.returncode != 0:
        raise ConversionError(f"LibreOffice exited with {process.returncode}: "
                              f"{stderr[-500:].decode('utf-8', 'replace')}")


def _kill_group(process: subprocess.Popen) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)


def cleanup(pdf: Path) -> None:
    shutil.rmtree(pdf.parent.parent, ignore_errors=True)
