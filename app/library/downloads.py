"""Serving stored files safely: attachments by default, inline only for inert types, and never
HTML or SVG rendered from the app's origin. Streamed files answer Range and conditional requests
(206, 304, 412, 416, If-Range), so players can seek and Safari plays video at all."""

from __future__ import annotations

import io
from datetime import datetime
from typing import BinaryIO

from flask import Response, redirect, request
from werkzeug.exceptions import RequestedRangeNotSatisfiable
from werkzeug.wsgi import FileWrapper

from app.extensions import talisman
from app.library.filetypes import is_safe_inline
from app.library.models import AssetVersion
from app.storage import CHUNK, Storage, content_disposition

# Stored bytes are shown, if at all, as an inert document: no scripts, no plugins, no same-origin.
FILE_CSP = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
serves_stored_bytes = talisman(content_security_policy=FILE_CSP)


def send_version(storage: Storage, version: AssetVersion, *, inline: bool = False,
                 presign: bool = True) -> Response:
    inline = inline and is_safe_inline(version.content_type)
    content_type = version.content_type if inline else "application/octet-stream"
    if presign:
        url = storage.url(version.storage_key, filename=version.filename,
                          content_type=content_type, inline=inline)
        if url:
            return redirect(url, code=302)
    # Blobs are content-addressed and versions immutable, so the hash is a strong ETag.
    return stream_blob(storage, version.storage_key, content_type,
                       content_disposition(version.filename, inline), version.size,
                       etag=version.sha256, last_modified=version.created_at)


def stream_blob(storage: Storage, key: str, content_type: str, disposition: str | None,
                size: int | None = None, *, etag: str | None = None,
                last_modified: datetime | None = None) -> Response:
    """The blob, or the byte range asked for when its size is known. Werkzeug decides what
    the request gets (Range, If-Range, If-None-Match, If-Modified-Since); the storage is
    opened only when bytes are actually sent."""
    response = Response(content_type=content_type, direct_passthrough=True)
    # The body is attached below; Werkzeug must not count the empty placeholder as length 0.
    response.automatically_set_content_length = False
    _set_file_headers(response, disposition)
    if size is not None:
        response.headers["Content-Length"] = str(size)
        response.headers["Accept-Ranges"] = "bytes"
    if etag:
        response.set_etag(etag)
    if last_modified:
        response.last_modified = last_modified
    try:
        response.make_conditional(request.environ, accept_ranges=size is not None,
                                  complete_length=size)
    except RequestedRangeNotSatisfiable:
        return _unsatisfiable(size, disposition)
    if request.method == "HEAD" or response.status_code not in (200, 206):
        response.response = []
        return response
    if response.status_code == 206:
        stream = open_range(storage, key, response.content_range.start,
                            response.content_range.stop)
    else:
        stream = storage.open(key)
    # The server's own wrapper when it has one (gunicorn hands local files to sendfile()); it
    # closes the handle when the response is done.
    wrapper = request.environ.get("wsgi.file_wrapper", ClosingFileWrapper)
    response.response = wrapper(stream, CHUNK)
    return response


def _set_file_headers(response: Response, disposition: str | None) -> None:
    if disposition:
        response.headers["Content-Disposition"] = disposition
    # Views that call this are wrapped in `serves_stored_bytes`, which sets FILE_CSP.
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, max-age=0"


def _unsatisfiable(size: int | None, disposition: str | None) -> Response:
    response = Response(b"", status=416, content_type="application/octet-stream")
    _set_file_headers(response, disposition)
    response.headers["Content-Range"] = f"bytes */{size}"
    response.headers["Accept-Ranges"] = "bytes"
    return response


def open_range(storage: Storage, key: str, start: int, stop: int) -> BinaryIO:
    """A stream of bytes [start, stop) of the blob. A backend that can fetch just those bytes
    (an S3 ranged GET) offers `open_range`; otherwise a seekable stream (a local file) seeks,
    and anything else is read and discarded up to `start`."""
    ranged = getattr(storage, "open_range", None)
    if ranged is not None:
        return _Window(ranged(key, start, stop), stop - start)
    stream = storage.open(key)
    try:
        if stream.seekable():
            stream.seek(start)
        else:
            _skip(stream, start)
    except BaseException:
        stream.close()
        raise
    return _Window(stream, stop - start)


def _skip(stream: BinaryIO, count: int) -> None:
    while count > 0:
        chunk = stream.read(min(CHUNK, count))
        if not chunk:
            return
        count -= len(chunk)


class _Window(io.RawIOBase):
    """At most `length` bytes of `stream`, then end of file; closing it closes the stream."""

    def __init__(self, stream: BinaryIO, length: int) -> None:
        self._stream = stream
        self._left = length

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._left <= 0:
            return 0
        view = memoryview(buffer)[: self._left]
        count = self._stream.readinto(view) or 0
        self._left -= count
        return count

    def close(self) -> None:
        if not self.closed:
            self._stream.close()
        super().close()


class ClosingFileWrapper(FileWrapper):
    """Also closes the file once it has been read to the end, not only on close(), so a client
    that reads the whole body never leaves the handle to the garbage collector."""

    def __next__(self) -> bytes:
        try:
            return super().__next__()
        except StopIteration:
            self.close()
            raise
