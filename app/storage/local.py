"""Filesystem blob store for development and single-host deployments."""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import BinaryIO

from .base import CHUNK, BlobNotFound, Storage, StoredBlob, blob_key, check_key, hash_copy

TMP_DIR = "tmp"
HOLD_DIR = "gc"  # under TMP_DIR: blobs garbage collection has moved aside while it decides


class LocalStorage(Storage):
    def __init__(self, root: str) -> None:
        self.root = os.path.abspath(root)
        # Temp files live under root so os.replace stays a same-filesystem atomic rename.
        self.tmp_dir = os.path.join(self.root, TMP_DIR)

    def _path(self, key: str) -> str:
        # check_key admits only "hh/hh/<64 hex>", so the joined path cannot leave root.
        return os.path.join(self.root, *check_key(key).split("/"))

    def save(self, stream: BinaryIO, *, max_bytes: int | None = None) -> StoredBlob:
        # Made on demand: an operator may have emptied the directory since start-up.
        os.makedirs(self.tmp_dir, exist_ok=True)
        fd, tmp_path = tempfile.mkstemp(dir=self.tmp_dir, prefix="upload-", suffix=".part")
        try:
            with os.fdopen(fd, "wb", buffering=CHUNK) as tmp:
                sha256, size = hash_copy(stream, tmp.write, max_bytes)
                tmp.flush()
                os.fsync(tmp.fileno())
            key = blob_key(sha256)
            self._install(tmp_path, self._path(key))
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_path)
            raise
        return StoredBlob(key=key, sha256=sha256, size=size)

    def _install(self, tmp_path: str, target: str) -> None:
        parent = os.path.dirname(target)
        os.makedirs(parent, exist_ok=True)
        try:
            # Same bytes already stored. Refreshing the mtime stops a GC pass with a grace
            # period from reaping a blob that an upload has just deduplicated onto but not
            # yet referenced in the database.
            os.utime(target)
        except FileNotFoundError:
            os.replace(tmp_path, target)
            _fsync_dir(parent)
        else:
            os.unlink(tmp_path)

    def open(self, key: str) -> BinaryIO:
        try:
            return open(self._path(key), "rb")
        except FileNotFoundError:
            raise BlobNotFound(key) from None

    def exists(self, key: str) -> bool:
        return os.path.isfile(self._path(key))

    def delete(self, key: str) -> None:
        # Empty fan-out directories are left in place: removing them could race with a
        # concurrent save() that has just created the directory and is about to rename.
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._path(key))

    def url(
        self, key: str, *, filename: str, content_type: str, inline: bool, expires: int = 300
    ) -> str | None:
        check_key(key)
        return None

    def size(self, key: str) -> int:
        try:
            return os.stat(self._path(key)).st_size
        except FileNotFoundError:
            raise BlobNotFound(key) from None

    def modified_at(self, key: str) -> datetime:
        try:
            return datetime.fromtimestamp(os.stat(self._path(key)).st_mtime, UTC)
        except FileNotFoundError:
            raise BlobNotFound(key) from None

    def delete_unreferenced(self, keys: Iterable[str], cutoff: datetime,
                            referenced: Callable[[], Iterable[str]]) -> list[str]:
        """Move the blobs aside first, then check references and modified times, then delete
        or put back. An upload of the same bytes racing with this either refreshed the blob
        before the move (the moved file's mtime shows it) or finds no blob after it and stores
        its own copy (save() refreshes with utime, which fails on a missing file); and a row
        committed before the check is seen by it. So no committed row loses its blob."""
        self._put_back_held()  # left by a GC that crashed halfway
        held = self._hold(keys)
        try:
            in_use = set(referenced())
        except BaseException:
            for key, hold in held.items():
                _put_back(hold, self._path(key))
            raise
        deleted = []
        for key, hold in held.items():
            if key in in_use or datetime.fromtimestamp(os.stat(hold).st_mtime, UTC) >= cutoff:
                _put_back(hold, self._path(key))
            else:
                os.unlink(hold)
                deleted.append(key)
        return deleted

    def _hold(self, keys: Iterable[str]) -> dict[str, str]:
        hold_dir = os.path.join(self.tmp_dir, HOLD_DIR)
        os.makedirs(hold_dir, exist_ok=True)
        held = {}
        for key in keys:
            hold = os.path.join(hold_dir, f"{key.rsplit('/', 1)[-1]}.{secrets.token_hex(4)}")
            try:
                os.rename(self._path(key), hold)  # atomic, same filesystem
            except FileNotFoundError:
                continue  # deleted meanwhile, e.g. by another GC
            held[key] = hold
        return held

    def _put_back_held(self) -> None:
        hold_dir = os.path.join(self.tmp_dir, HOLD_DIR)
        if not os.path.isdir(hold_dir):
            return
        with os.scandir(hold_dir) as entries:
            for entry in entries:
                with contextlib.suppress(ValueError):
                    _put_back(entry.path, self._path(blob_key(entry.name.split(".")[0])))

    def iter_blobs(self) -> Iterator[tuple[str, datetime]]:
        for first in _subdirs(self.root):
            if first == TMP_DIR:
                continue
            for second in _subdirs(os.path.join(self.root, first)):
                yield from self._blobs_in(first, second)

    def _blobs_in(self, first: str, second: str) -> Iterator[tuple[str, datetime]]:
        with os.scandir(os.path.join(self.root, first, second)) as entries:
            for entry in entries:
                key = f"{first}/{second}/{entry.name}"
                try:
                    check_key(key)
                    if not entry.is_file(follow_symlinks=False):
                        continue
                    mtime = entry.stat(follow_symlinks=False).st_mtime
                except (ValueError, FileNotFoundError):
                    continue
                yield key, datetime.fromtimestamp(mtime, UTC)

    def cleanup_temp(self, max_age: float = 3600) -> int:
        """Remove temp files left by crashed uploads; returns how many were removed. Blobs a
        crashed garbage collection left aside go back in place (the next one decides again).

        max_age keeps us clear of uploads that are still being written.
        """
        cutoff = time.time() - max_age
        removed = 0
        if not os.path.isdir(self.tmp_dir):
            return 0
        self._put_back_held()
        with os.scandir(self.tmp_dir) as entries:
            for entry in entries:
                with contextlib.suppress(FileNotFoundError):
                    if entry.is_file(follow_symlinks=False) and entry.stat().st_mtime < cutoff:
                        os.unlink(entry.path)
                        removed += 1
        return removed


def _subdirs(path: str) -> Iterator[str]:
    try:
        with os.scandir(path) as entries:
            names = [e.name for e in entries if e.is_dir(follow_symlinks=False)]
    except FileNotFoundError:
        return
    yield from sorted(names)


def _put_back(hold: str, target: str) -> None:
    # link, not rename: if an upload stored the same bytes meanwhile, its copy stays.
    with contextlib.suppress(FileExistsError, FileNotFoundError):
        os.makedirs(os.path.dirname(target), exist_ok=True)
        os.link(hold, target)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(hold)


def _fsync_dir(path: str) -> None:
    # Makes the rename itself durable; without it a crash can lose a "saved" blob.
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
