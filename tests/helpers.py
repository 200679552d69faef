"""Plain helpers the tests import: signing in and CSRF tokens."""

import re

PASSWORD = "correct horse battery"  # noqa: S105 - test accounts only


def csrf_token(client) -> str:
    html = client.get("/login", follow_redirects=True).get_data(as_text=True)
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert match, "page has no CSRF meta tag"
    return match.group(1)


def login(client, email: str, password: str = PASSWORD):
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": csrf_token(client)})


def corpus_file(relative: str) -> bytes:
    """A file of the real-file corpus (tests/corpus.py) by its path relative to the corpus."""
    import corpus

    return corpus.path(relative).read_bytes()


# Both in the base layer that `make test` fetches, so every run has them.
SAMPLE_PDF = "pdf/pypdf/pdflatex-outline.pdf"  # pdflatex, 4 pages
SAMPLE_DOCX = "office/docx/tbl-having-tables.docx"


def multipart(fields: dict) -> dict:
    """Encode a multipart body in memory. Werkzeug's test client spools big bodies to temp
    files it never closes when the app refuses the request unread (413), so tests that post
    files pass the encoded bytes instead: `client.post(url, **multipart({...}))`."""
    import io

    from werkzeug.datastructures import FileStorage, MultiDict
    from werkzeug.test import encode_multipart

    values = MultiDict()
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, tuple):
                item = FileStorage(io.BytesIO(item[0]), filename=item[1], name=name)
            values.add(name, item)
    boundary, body = encode_multipart(values)
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def upload_asset(client, headers, data: bytes, filename: str, **fields):
    """POST /api/v1/assets as multipart; returns the response."""
    return client.post("/api/v1/assets", headers=headers,
                       **multipart({"file": (data, filename), **fields}))


def blob_files(app) -> list:
    from pathlib import Path

    root = Path(app.config["STORAGE_LOCAL_ROOT"])
    files = (p for p in root.rglob("*") if p.is_file())
    return sorted(p for p in files if p.relative_to(root).parts[0] != "tmp")
