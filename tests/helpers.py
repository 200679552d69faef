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


ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


def corpus_dir():
    """The shared corpus of real PDF and Office files: ../shared/corpus beside the repository,
    or $LOCKSTEP_CORPUS. None when neither exists (conftest refuses that in CI)."""
    import os
    from pathlib import Path

    candidates = [Path(os.environ["LOCKSTEP_CORPUS"])] if os.environ.get("LOCKSTEP_CORPUS") else []
    candidates.append(ROOT.parent / "shared" / "corpus")
    return next((path for path in candidates if path.is_dir()), None)


def corpus_file(relative: str) -> bytes:
    return (corpus_dir() / relative).read_bytes()


SAMPLE_PDF = "pdf/004-pdflatex-4-pages/pdflatex-4-pages.pdf"
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
