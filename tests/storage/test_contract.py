"""Behaviour every Storage backend must share (run against local and moto-S3)."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime, timedelta

import pytest

from app.storage import (
    BlobNotFound,
    LocalStorage,
    S3Storage,
    StoredBlob,
    UploadTooLarge,
    blob_key,
    build_storage,
    content_disposition,
)

CRAFTED_KEYS = [
    "../../etc/passwd",
    "ab/cd/../../x",
    "/etc/passwd",
    "/" + blob_key("a" * 64),
    blob_key("a" * 64) + "\n",
    "AA/AA/" + "A" * 64,
    "aa\\aa\\" + "a" * 64,
    "bb/aa/" + "a" * 64,  # fan-out dirs disagree with the hash
    "aa/aa/" + "a" * 63,
    "",
]


def test_save_open_roundtrip(storage):
    data = b"sales deck \x00\xff" * 1000
    blob = storage.save(io.BytesIO(data))
    digest = hashlib.sha256(data).hexdigest()
    assert blob == StoredBlob(key=blob_key(digest), sha256=digest, size=len(data))
    assert blob.key == f"{digest[:2]}/{digest[2:4]}/{digest}"
    with storage.open(blob.key) as fh:
        assert fh.read(5) == data[:5]
        assert fh.read() == data[5:]
    assert storage.exists(blob.key)
    assert storage.size(blob.key) == len(data)


def test_empty_stream(storage):
    blob = storage.save(io.BytesIO(b""))
    assert blob.sha256 == hashlib.sha256(b"").hexdigest()
    assert blob.size == 0
    with storage.open(blob.key) as fh:
        assert fh.read() == b""


def test_save_starts_at_current_position(storage):
    stream = io.BytesIO(b"HEADERpayload")
    stream.read(6)
    blob = storage.save(stream)
    assert blob.sha256 == hashlib.sha256(b"payload").hexdigest()
    with storage.open(blob.key) as fh:
        assert fh.read() == b"payload"


def test_identical_bytes_are_stored_once(storage):
    first = storage.save(io.BytesIO(b"same bytes"))
    second = storage.save(io.BytesIO(b"same bytes"))
    assert first == second
    assert [key for key, _ in storage.iter_blobs()] == [first.key]


def test_non_seekable_stream(storage, generated_stream):
    size = 3 * 1024 * 1024 + 7
    expected = hashlib.sha256(generated_stream(size, seed=1).read()).hexdigest()
    blob = storage.save(generated_stream(size, seed=1))
    assert (blob.sha256, blob.size) == (expected, size)
    with storage.open(blob.key) as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == expected


@pytest.mark.parametrize("size", [10, 11])
def test_max_bytes_boundary(storage, size):
    stream = io.BytesIO(b"x" * size)
    if size > 10:
        with pytest.raises(UploadTooLarge):
            storage.save(stream, max_bytes=10)
        assert list(storage.iter_blobs()) == []
    else:
        assert storage.save(stream, max_bytes=10).size == 10


def test_upload_too_large_leaves_nothing_non_seekable(storage, generated_stream):
    with pytest.raises(UploadTooLarge):
        storage.save(generated_stream(3 * 1024 * 1024), max_bytes=2 * 1024 * 1024)
    assert list(storage.iter_blobs()) == []


def test_missing_blob(storage):
    key = blob_key(hashlib.sha256(b"never stored").hexdigest())
    assert not storage.exists(key)
    with pytest.raises(BlobNotFound):
        storage.open(key)
    with pytest.raises(BlobNotFound):
        storage.size(key)
    assert issubclass(BlobNotFound, LookupError)


def test_delete_is_idempotent(storage):
    blob = storage.save(io.BytesIO(b"to delete"))
    storage.delete(blob.key)
    storage.delete(blob.key)
    assert not storage.exists(blob.key)
    with pytest.raises(BlobNotFound):
        storage.open(blob.key)


def test_iter_blobs_lists_exactly_saved_keys(storage):
    keys = {storage.save(io.BytesIO(f"blob {i}".encode())).key for i in range(5)}
    storage.delete(sorted(keys)[0])
    listed = dict(storage.iter_blobs())
    assert set(listed) == keys - {sorted(keys)[0]}
    now = datetime.now(UTC)
    for modified in listed.values():
        assert modified.utcoffset() == timedelta(0)
        assert now - timedelta(minutes=5) < modified <= now + timedelta(minutes=1)


@pytest.mark.parametrize("key", CRAFTED_KEYS)
def test_crafted_keys_are_rejected(storage, key):
    for call in (storage.open, storage.exists, storage.delete, storage.size):
        with pytest.raises(ValueError, match="invalid blob key"):
            call(key)
    with pytest.raises(ValueError, match="invalid blob key"):
        storage.url(key, filename="x.pdf", content_type="application/pdf", inline=True)


def test_blob_key_validates_hash():
    with pytest.raises(ValueError):
        blob_key("../" + "a" * 61)
    with pytest.raises(ValueError):
        blob_key("A" * 64)


# --- build_storage ----------------------------------------------------------------------


def test_build_local(tmp_path):
    storage = build_storage({"STORAGE_BACKEND": "local", "STORAGE_LOCAL_ROOT": str(tmp_path)})
    assert isinstance(storage, LocalStorage)
    assert storage.root == str(tmp_path)


def test_build_s3(aws_test_env):
    storage = build_storage(
        {
            "STORAGE_BACKEND": "s3",
            "S3_BUCKET": "lockstep",
            "S3_PREFIX": "prod/",
            "S3_ENDPOINT_URL": "http://127.0.0.1:9",
            "AWS_REGION": "eu-west-1",
        }
    )
    assert isinstance(storage, S3Storage)
    assert (storage.bucket, storage.prefix) == ("lockstep", "prod/")
    assert storage.client.meta.region_name == "eu-west-1"
    assert storage.client.meta.endpoint_url == "http://127.0.0.1:9"


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"STORAGE_BACKEND": "ftp"}, "unknown STORAGE_BACKEND 'ftp'"),
        ({}, "unknown STORAGE_BACKEND None"),
        ({"STORAGE_BACKEND": "s3"}, "requires S3_BUCKET"),
        ({"STORAGE_BACKEND": "s3", "S3_BUCKET": ""}, "requires S3_BUCKET"),
        ({"STORAGE_BACKEND": "local"}, "requires STORAGE_LOCAL_ROOT"),
    ],
)
def test_build_rejects_bad_config(config, message):
    with pytest.raises(ValueError, match=message):
        build_storage(config)


# --- content_disposition ----------------------------------------------------------------


def test_disposition_plain_ascii():
    assert content_disposition("deck.pdf", inline=False) == 'attachment; filename="deck.pdf"'
    assert content_disposition("deck.pdf", inline=True) == 'inline; filename="deck.pdf"'


def test_disposition_unicode_uses_rfc5987():
    value = content_disposition("Präsentation 2024 – Q1.pptx", inline=False)
    assert value == (
        'attachment; filename="Prasentation 2024 _ Q1.pptx"; '
        "filename*=UTF-8''Pr%C3%A4sentation%202024%20%E2%80%93%20Q1.pptx"
    )


def test_disposition_non_latin_name_gets_generic_fallback():
    value = content_disposition("报告.pdf", inline=True)
    assert value.startswith('inline; filename="download.pdf"; ')
    assert value.endswith("filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf")


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("../../x.pdf", "x.pdf"),
        ("..\\..\\windows\\x.pdf", "x.pdf"),
        ("/etc/passwd", "passwd"),
        ('evil".pdf', "evil.pdf"),
        ("a\r\nSet-Cookie: x=1.pdf", "aSet-Cookie: x=1.pdf"),
        ("report\u202efdp.exe", "reportfdp.exe"),
        ("a;b.pdf", "a_b.pdf"),
        ("..", "download"),
        ("", "download"),
        ("\x00\x01", "download"),
    ],
)
def test_disposition_sanitizes(raw, shown):
    assert content_disposition(raw, inline=False) == f'attachment; filename="{shown}"'


def test_disposition_long_unicode_name_is_truncated_keeping_extension():
    name = ("Ünïcødé-naмe " * 30)[:300] + ".docx"
    value = content_disposition(name, inline=False)
    assert "\r" not in value and "\n" not in value and '\\"' not in value
    fallback = value.split('filename="')[1].split('"')[0]
    encoded = value.split("filename*=UTF-8''")[1]
    assert fallback.endswith(".docx") and len(fallback) <= 150
    assert encoded.endswith(".docx") and len(encoded) < 150 * 9
    assert value.isascii()
