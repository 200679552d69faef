"""The index directory: generations of Whoosh indexes and an atomic pointer to the live one.

    index_dir/
        CURRENT             name of the live generation, replaced atomically (temp + rename)
        gen-<ts>-<pid>-<r>/ a complete Whoosh index plus ENGINE (the schema version)
        build-<ts>-<pid>-<r>/ a rebuild in progress (renamed to gen-... when complete)
        .engine.lock        flock serialising create/publish between processes

Readers in any process compare CURRENT's inode/mtime on each search (one stat) and reopen
when it changed. The generation before the live one is kept until the next swap, so a process
still reading it is never pulled out from under; older ones are deleted.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import time
import uuid
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage

from .whoosh_schema import SCHEMA_VERSION, build_schema

CURRENT = "CURRENT"
INDEX_NAME = "MAIN"  # Whoosh's default index name inside a directory
MARKER = "ENGINE"
_NAME = re.compile(r"^gen-[A-Za-z0-9._-]+$")
STALE_BUILD_SECONDS = 24 * 3600


class CorruptIndex(Exception):
    """The live generation is missing, unreadable or of another schema version."""


class Store:
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    # --- the pointer ----------------------------------------------------------------------

    def stamp(self) -> tuple[int, int] | None:
        """Changes whenever CURRENT is replaced; None when there is none."""
        try:
            st = os.stat(self.root / CURRENT)
        except OSError:
            return None
        return st.st_ino, st.st_mtime_ns

    def current(self) -> str | None:
        try:
            name = (self.root / CURRENT).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            return None
        return name if _NAME.match(name) else None

    def publish(self, name: str) -> None:
        tmp = self.root / f".{CURRENT}.{os.getpid()}.{uuid.uuid4().hex}"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(name + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.root / CURRENT)
        _fsync_dir(self.root)

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".engine.lock", "a+") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    # --- generations ----------------------------------------------------------------------

    def open(self, name: str | None) -> Any:
        """The Whoosh index of a generation; CorruptIndex for anything unusable."""
        if not name:
            raise CorruptIndex("no CURRENT generation")
        path = self.root / name
        try:
            marker = (path / MARKER).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            marker = None
        if marker != SCHEMA_VERSION:
            raise CorruptIndex(f"{name} has schema {marker!r}, not {SCHEMA_VERSION!r}")
        storage = TrackingStorage(str(path))
        try:
            ix = whoosh_index.FileIndex(storage, indexname=INDEX_NAME)
            ix.reader().close()  # reads the TOC and every segment header now, not mid-search
            return ix
        except Exception as exc:  # whatever a damaged index throws, it means "rebuild"
            problem = f"{name}: {exc!r}"
            storage.close_all()  # here, while the traceback still keeps the files alive
        raise CorruptIndex(problem)

    def begin_build(self) -> Path:
        path = self.root / f"build-{_unique()}"
        path.mkdir(parents=True)
        whoosh_index.create_in(str(path), build_schema())
        (path / MARKER).write_text(SCHEMA_VERSION + "\n", encoding="utf-8")
        return path

    def finish_build(self, build: Path, locked: bool = False) -> str:
        """Renames a complete build to a generation and makes it the live one. `locked`:
        the caller already holds exclusive() (flock would deadlock on a second open)."""
        name = f"gen-{build.name.removeprefix('build-')}"
        os.replace(build, self.root / name)
        if locked:
            self._swap(name)
        else:
            with self.exclusive():
                self._swap(name)
        return name

    def _swap(self, name: str) -> None:
        previous = self.current()
        self.publish(name)
        self._remove_old(keep={name, previous})

    def storage(self, name: str) -> FileStorage:
        return FileStorage(str(self.root / name))

    def _remove_old(self, keep: set[str | None]) -> None:
        now = time.time()
        for path in self.root.iterdir():
            stale_build = (
                path.name.startswith("build-") and now - _mtime(path) > STALE_BUILD_SECONDS
            )
            if (_NAME.match(path.name) and path.name not in keep) or stale_build:
                shutil.rmtree(path, ignore_errors=True)


class TrackingStorage(FileStorage):
    """FileStorage that can close every file it opened: when reading a damaged index fails,
    Whoosh leaves the TOC stream open (a file descriptor leak and a ResourceWarning)."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self._opened: weakref.WeakSet[Any] = weakref.WeakSet()

    def open_file(self, name: str, **kwargs: Any) -> Any:
        f = super().open_file(name, **kwargs)
        self._opened.add(f)
        return f

    def close_all(self) -> None:
        for f in list(self._opened):
            try:
                f.close()
            except Exception:  # noqa: S110 - best effort on an index being thrown away
                pass

    def __getstate__(self) -> dict[str, Any]:  # Whoosh's MpWriter pickles the storage
        state = self.__dict__.copy()
        state.pop("_opened", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._opened = weakref.WeakSet()


def _unique() -> str:
    return f"{time.time_ns()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
