"""Serving stored files safely: attachments by default, inline only for inert types, and never
HTML or SVG rendered from the app's origin."""

from __future__ import annotations

from flask import Response, redirect, request
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
    return stream_blob(storage, version.storage_key, content_type,
                       content_disposition(version.filename, inline), version.size)


def stream_blob(storage: Storage, key: str, content_type: str, disposition: str | None,
                size: int | None = None) -> Response:
    # The server's own wrapper when it has one (gunicorn hands local files to sendfile()); it
    # closes the handle when the response is done.
    wrapper = request.environ.get("wsgi.file_wrapper", ClosingFileWrapper)
    body = wrapper(storage.open(key), CHUNK)
    response = Response(body, content_type=content_type, direct_passthrough=True)
    if disposition:
        response.headers["Content-Disposition"] = disposition
    if size is not None:
        response.headers["Content-Length"] = str(size)
    # Views that call this are wrapped in `serves_stored_bytes`, which sets FILE_CSP.
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, max-age=0"
    return response


class ClosingFileWrapper(FileWrapper):
    """Also closes the file once it has been read to the end, not only on close(), so a client
    that reads the whole body never leaves the handle to the garbage collector."""

    def __next__(self) -> bytes:
        try:
            return super().__next__()
        except StopIteration:
            self.close()
            raise
