"""S3Storage specifics, against a moto server over real HTTP."""

from __future__ import annotations

import hashlib
import io
import random
import re
import tempfile
import urllib.request
import uuid
from collections import Counter

import boto3
import pytest
from botocore.exceptions import ClientError

from app.storage import S3Storage, UploadTooLarge, blob_key, content_disposition
from app.storage import s3 as s3_module

MIB = 1024 * 1024
UPLOAD_CALLS = ("PutObject", "CreateMultipartUpload", "UploadPart")


def _count_calls(storage: S3Storage) -> Counter:
    calls: Counter = Counter()

    def record(model, **_):
        calls[model.name] += 1

    storage.client.meta.events.register("before-call.s3", record)
    return calls


def _head(storage: S3Storage, key: str) -> dict:
    return storage.client.head_object(Bucket=storage.bucket, Key=storage.prefix + key)


def _raw_keys(storage: S3Storage) -> list[str]:
    listing = storage.client.list_objects_v2(Bucket=storage.bucket)
    return sorted(obj["Key"] for obj in listing.get("Contents", []))


def _streamed_sha256(storage: S3Storage, key: str) -> str:
    digest = hashlib.sha256()
    with storage.open(key) as fh:
        while chunk := fh.read(MIB):
            digest.update(chunk)
    return digest.hexdigest()


def _random_bytes(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


@pytest.mark.parametrize("seekable", [True, False], ids=["seekable", "one-shot"])
def test_20mib_upload_is_multipart(s3_storage, generated_stream, seekable):
    size = 20 * MIB
    if seekable:
        stream = io.BytesIO(_random_bytes(size, seed=7))
    else:
        stream = generated_stream(size, seed=7)
    expected = hashlib.sha256(_random_bytes(size, seed=7)).hexdigest()
    blob = s3_storage.save(stream)
    assert (blob.sha256, blob.size) == (expected, size)
    head = _head(s3_storage, blob.key)
    # 8 MiB parts: 8 + 8 + 4 -> S3's multipart ETag is "<md5 of part md5s>-3".
    assert re.fullmatch(r'"[0-9a-f]{32}-3"', head["ETag"]), head["ETag"]
    assert head["ContentLength"] == size
    assert _streamed_sha256(s3_storage, blob.key) == expected


def test_small_upload_is_single_part(s3_storage):
    blob = s3_storage.save(io.BytesIO(b"tiny"))
    assert _head(s3_storage, blob.key)["ETag"] == f'"{hashlib.md5(b"tiny").hexdigest()}"'  # noqa: S324


def test_dedup_skips_upload_but_refreshes_object(s3_storage):
    data = _random_bytes(MIB, seed=3)
    first = s3_storage.save(io.BytesIO(data))
    calls = _count_calls(s3_storage)
    assert s3_storage.save(io.BytesIO(data)) == first
    assert not any(calls[name] for name in UPLOAD_CALLS)
    # Copy-onto-self bumps LastModified so a GC grace period protects the blob.
    assert calls["CopyObject"] == 1
    assert _streamed_sha256(s3_storage, first.key) == first.sha256


@pytest.mark.parametrize("seekable", [True, False], ids=["seekable", "one-shot"])
def test_upload_too_large_sends_nothing(s3_storage, generated_stream, monkeypatch, seekable):
    size = 20 * MIB
    stream = io.BytesIO(bytes(size)) if seekable else generated_stream(size)
    spools = []
    real_temporary_file = tempfile.TemporaryFile

    def tracked_temporary_file(*args, **kwargs):
        spools.append(real_temporary_file(*args, **kwargs))
        return spools[-1]

    monkeypatch.setattr(s3_module.tempfile, "TemporaryFile", tracked_temporary_file)
    calls = _count_calls(s3_storage)
    with pytest.raises(UploadTooLarge):
        s3_storage.save(stream, max_bytes=10 * MIB)
    assert not any(calls[name] for name in UPLOAD_CALLS)
    assert _raw_keys(s3_storage) == []
    uploads = s3_storage.client.list_multipart_uploads(Bucket=s3_storage.bucket)
    assert uploads.get("Uploads", []) == []
    # Seekable streams are hashed in place; one-shot streams spool, and must clean up.
    assert len(spools) == (0 if seekable else 1)
    assert all(spool.closed for spool in spools)


@pytest.mark.parametrize("prefix", ["a/b/", "a/b", "/a/b/", "a/b//"])
def test_prefix_is_normalized(moto_server, s3_storage, prefix):
    storage = S3Storage(s3_storage.bucket, prefix=prefix, endpoint_url=moto_server)
    blob = storage.save(io.BytesIO(b"prefixed"))
    assert storage.prefix == "a/b/"
    assert _raw_keys(storage) == ["a/b/" + blob.key]
    assert [key for key, _ in storage.iter_blobs()] == [blob.key]


@pytest.mark.parametrize("prefix", ["", "/"])
def test_empty_prefix(moto_server, s3_storage, prefix):
    storage = S3Storage(s3_storage.bucket, prefix=prefix, endpoint_url=moto_server)
    blob = storage.save(io.BytesIO(b"bare"))
    assert _raw_keys(storage) == [blob.key]
    assert [key for key, _ in storage.iter_blobs()] == [blob.key]


def test_iter_blobs_ignores_foreign_objects(moto_server, s3_storage):
    blob = s3_storage.save(io.BytesIO(b"ours"))
    other_app = S3Storage(s3_storage.bucket, prefix="other/", endpoint_url=moto_server)
    other_app.save(io.BytesIO(b"theirs"))
    put = s3_storage.client.put_object
    put(Bucket=s3_storage.bucket, Key="lockstep/README.txt", Body=b"x")
    put(Bucket=s3_storage.bucket, Key="lockstep/zz/zz/" + "z" * 64, Body=b"x")
    put(Bucket=s3_storage.bucket, Key=blob_key("cd" * 32), Body=b"x")  # no prefix
    assert [key for key, _ in s3_storage.iter_blobs()] == [blob.key]


def test_iter_blobs_follows_pagination(s3_storage):
    keys = {s3_storage.save(io.BytesIO(b"%d" % i)).key for i in range(5)}

    def small_pages(params, **_):
        params["MaxKeys"] = 2  # stands in for S3's 1000-per-page limit

    s3_storage.client.meta.events.register("provide-client-params.s3.ListObjectsV2", small_pages)
    calls = _count_calls(s3_storage)
    assert {key for key, _ in s3_storage.iter_blobs()} == keys
    assert calls["ListObjectsV2"] == 3


@pytest.mark.parametrize(
    ("filename", "content_type", "inline"),
    [
        ("Q3 deck.pdf", "application/pdf", True),
        ('Präsentation – Kunden "final".pptx', "application/octet-stream", False),
        ("../../x.pdf", "application/pdf", False),
    ],
)
def test_presigned_url_downloads_over_http(s3_storage, filename, content_type, inline):
    data = _random_bytes(300_000, seed=11)
    blob = s3_storage.save(io.BytesIO(data))
    url = s3_storage.url(
        blob.key, filename=filename, content_type=content_type, inline=inline, expires=60
    )
    assert url is not None and "X-Amz-Expires=60" in url and "X-Amz-Signature=" in url
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - moto http URL
        body = response.read()
        headers = response.headers
    assert body == data
    assert headers["Content-Disposition"] == content_disposition(filename, inline)
    assert headers["Content-Type"] == content_type


def test_open_streams_in_chunks(s3_storage):
    data = _random_bytes(3 * MIB + 5, seed=5)
    blob = s3_storage.save(io.BytesIO(data))
    fh = s3_storage.open(blob.key)
    assert fh.readable()
    parts = iter(lambda: fh.read(MIB), b"")
    assert [len(p) for p in parts] == [MIB, MIB, MIB, 5]
    fh.close()
    assert fh.closed


def test_missing_bucket_is_an_error_not_a_miss(moto_server):
    storage = S3Storage(f"missing-{uuid.uuid4().hex}", endpoint_url=moto_server)
    with pytest.raises(ClientError):
        storage.save(io.BytesIO(b"x"))


def test_injected_client_is_used(moto_server, s3_storage):
    client = boto3.client("s3", endpoint_url=moto_server, region_name="us-east-1")
    storage = S3Storage(s3_storage.bucket, client=client)
    assert storage.client is client
    assert storage.exists(storage.save(io.BytesIO(b"via injected client")).key)
