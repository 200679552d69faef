"""Backend-neutral pieces of the blob store: the interface, key scheme and helpers.

Blobs are content-addressed by SHA-256, so a key is derived from the bytes and
never from anything a user typed. That is what lets us dedupe identical uploads
and lets the backends reject any key that does not have the exact shape.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO
from urllib.parse import quote

CHUNK = 1024 * 1024

_SHA256_RE = re.compile(r"[0-9a-f]{64}")
_KEY_RE = re.compile(r"([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{64})")


@dataclass(frozen=True)
class StoredBlob:
    key: str
    sha256: str
    size: int


class BlobNotFound(LookupError):
    """The key is well-formed but no blob is stored under it."""


class UploadTooLarge(ValueError):
    """The stream yielded more than the caller's max_bytes."""


def blob_key(sha256: str) -> str:
    if not isinstance(sha256, str) or not _SHA256_RE.fullmatch(sha256):
        raise ValueError("sha256 must be 64 lowercase hex characters")
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


def check_key(key: str) -> str:
    """Return key unchanged if it is exactly a blob key, else raise ValueError.

    fullmatch (not match with $) so a trailing newline cannot sneak through, and the
    directory parts must agree with the hash so each blob has exactly one valid key.
    """
    m = _KEY_RE.fullmatch(key) if isinstance(key, str) else None
    if m is None or m.group(3)[:2] != m.group(1) or m.group(3)[2:4] != m.group(2):
        raise ValueError(f"invalid blob key: {key!r}")
    return key


def iter_chunks(stream: BinaryIO, size: int = CHUNK) -> Iterator[memoryview]:
    """Yield the stream in pieces through one reused buffer. A fresh 1 MiB bytes object per
    read makes glibc return and re-fault the memory on every chunk (measured: 2.5x slower
    uploads); each yielded view is only valid until the next one."""
    readinto = getattr(stream, "readinto", None)
    if readinto is None:
        while chunk := stream.read(size):
            yield memoryview(chunk)
        return
    buffer = bytearray(size)
    view = memoryview(buffer)
    while n := readinto(view):
        yield view[:n]


def hash_copy(
    stream: BinaryIO,
    write: Callable[[bytes], object] | None,
    max_bytes: int | None,
) -> tuple[str, int]:
    """Read stream to EOF in CHUNK pieces, hashing and optionally writing each piece.

    Raises UploadTooLarge as soon as the limit is crossed so an oversized upload is
    never read (or written) to the end.
    """
    digest = hashlib.sha256()
    size = 0
    for chunk in iter_chunks(stream):
        size += len(chunk)
        if max_bytes is not None and size > max_bytes:
            raise UploadTooLarge(f"upload exceeds {max_bytes} bytes")
        digest.update(chunk)
        if write is not None:
            write(chunk)
    return digest.hexdigest(), size


class Storage(ABC):
    @abstractmethod
    def save(self, stream: BinaryIO, *, max_bytes: int | None = None) -> StoredBlob:
        """Store the rest of stream; identical bytes end up under one key."""

    @abstractmethod
    def open(self, key: str) -> BinaryIO:
        """Readable binary stream of the blob; raises BlobNotFound."""

    @abstractmethod
    def exists(self, key: str) -> bool: ...

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the blob; a missing blob is not an error."""

    @abstractmethod
    def url(
        self, key: str, *, filename: str, content_type: str, inline: bool, expires: int = 300
    ) -> str | None:
        """A time-limited direct download URL, or None when the app must stream it."""

    @abstractmethod
    def iter_blobs(self) -> Iterator[tuple[str, datetime]]:
        """(key, UTC last-modified) for every stored blob, for garbage collection."""

    @abstractmethod
    def size(self, key: str) -> int:
        """Size in bytes; raises BlobNotFound."""

    @abstractmethod
    def modified_at(self, key: str) -> datetime:
        """UTC last-modified time, refreshed when save() deduplicates onto the blob; raises
        BlobNotFound."""

    def delete_unreferenced(self, keys: Iterable[str], cutoff: datetime,
                            referenced: Callable[[], Iterable[str]]) -> list[str]:
        """Delete each of `keys` that no reference names and that was last modified before
        `cutoff`, both checked again right before its deletion; returns the deleted keys.

        An upload that deduplicates onto a blob refreshes its modified time before the upload's
        row commits, so a blob modified since `cutoff` may be about to gain a reference. Here the
        check and the delete are two requests apart; LocalStorage closes that gap.
        """
        in_use = set(referenced())
        deleted = []
        for key in keys:
            if key in in_use:
                continue
            try:
                if self.modified_at(key) >= cutoff:
                    continue
            except BlobNotFound:
                continue
            self.delete(key)
            deleted.append(key)
        return deleted

    def cleanup_temp(self, max_age: float = 3600) -> int:
        """Remove partial uploads older than max_age seconds; backends without any keep none."""
        return 0


# --- Content-Disposition -------------------------------------------------------------

_MAX_NAME = 150
# RFC 5987 attr-char minus what quote() keeps anyway (alphanumerics and "_.-~").
_ATTR_SAFE = "!#$&+^`|"
# Unicode categories that must never reach a header: controls, format chars such as
# RIGHT-TO-LEFT OVERRIDE (used to disguise extensions), line/paragraph separators.
_DROP_CATEGORIES = {"Cc", "Cf", "Zl", "Zp"}


def _clean_filename(filename: str) -> str:
    name = "".join(ch for ch in str(filename) if unicodedata.category(ch) not in _DROP_CATEGORIES)
    # Browsers may honour either separator, so strip directories of both kinds.
    name = posixpath.basename(name.replace("\\", "/"))
    name = name.replace('"', "").replace(";", "_").strip().lstrip(".").strip()
    if len(name) > _MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 16:
            name = stem[: _MAX_NAME - len(ext) - 1].rstrip() + "." + ext
        else:
            name = name[:_MAX_NAME]
    return name or "download"


def _ascii_fallback(name: str) -> str:
    # Decompose so "ä" keeps its base letter once the combining mark is dropped.
    decomposed = unicodedata.normalize("NFKD", name)
    folded = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    # "%" would be percent-decoded by some browsers; "\" is an escape in quoted-string.
    folded = re.sub(r"[^\x20-\x7e]|[%\\]", "_", folded).strip()
    stem, dot, ext = folded.rpartition(".")
    if dot and not stem.strip(" _."):
        return "download." + ext
    return folded if folded.strip(" _.") else "download"


def content_disposition(filename: str, inline: bool) -> str:
    """Header value safe for any user-supplied filename.

    Old clients read the ASCII filename=; modern ones prefer the RFC 5987 filename*.
    """
    name = _clean_filename(filename)
    fallback = _ascii_fallback(name)
    value = f'{"inline" if inline else "attachment"}; filename="{fallback}"'
    if fallback != name:
        value += "; filename*=UTF-8''" + quote(name, safe=_ATTR_SAFE)
    return value
