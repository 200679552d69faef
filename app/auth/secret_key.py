"""The key that signs sessions and CSRF tokens when SECRET_KEY is not set: random, generated once
per instance directory and kept there readable by its owner only.

Every gunicorn worker runs this at start-up, at the same moment, so creation must be race-safe:
the key is written completely to a private temporary file and then hard-linked into place.
A link never replaces an existing file, so exactly one process wins and every process (winner or
not) then reads the same, complete file. (O_CREAT|O_EXCL alone would let a second worker read
the file while the first is still writing it.)
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import tempfile

MIN_LENGTH = 32


def load_or_create_secret_key(path: str) -> str:
    path = os.path.abspath(path)
    if not os.path.exists(path):
        _create(path)
    return _read(path)


def _create(path: str) -> None:
    directory = os.path.dirname(path)
    os.makedirs(directory, mode=0o700, exist_ok=True)
    fd, tmp_path = tempfile.mkstemp(dir=directory, prefix=".secret-key-")  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="ascii") as tmp:
            tmp.write(secrets.token_urlsafe(48) + "\n")
            tmp.flush()
            os.fsync(tmp.fileno())
        with contextlib.suppress(FileExistsError):  # another worker was first: use its key
            os.link(tmp_path, path)
    finally:
        os.unlink(tmp_path)


def _read(path: str) -> str:
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode) or mode & 0o077:
        raise RuntimeError(f"Refusing to start: {path} must be a file only its owner can read "
                           f"(chmod 600 {path}).")
    with open(path, encoding="ascii", errors="replace") as fh:
        key = fh.read().strip()
    if len(key) < MIN_LENGTH:
        raise RuntimeError(f"Refusing to start: {path} does not hold a usable key; delete it to "
                           "generate a new one (everyone will have to sign in again).")
    return key
