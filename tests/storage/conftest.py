"""Storage fixtures.

The moto server itself is in tests/fixtures/s3.py, shared with the app-level S3 tests.
"""

from __future__ import annotations

import io
import random
import uuid

import boto3
import pytest

from app.storage.local import LocalStorage
from app.storage.s3 import S3Storage


@pytest.fixture
def s3_storage(moto_server):
    bucket = f"lockstep-test-{uuid.uuid4().hex[:16]}"
    client = boto3.client("s3", endpoint_url=moto_server, region_name="us-east-1")
    client.create_bucket(Bucket=bucket)
    return S3Storage(bucket, prefix="lockstep/", endpoint_url=moto_server, region="us-east-1")


@pytest.fixture
def local_storage(tmp_path):
    return LocalStorage(str(tmp_path / "blobs"))


@pytest.fixture(params=["local", "s3"])
def storage(request):
    """Each contract test runs once per backend."""
    return request.getfixturevalue(f"{request.param}_storage")


class GeneratedStream(io.RawIOBase):
    """Deterministic pseudo-random bytes produced on demand, never held in full.

    Not seekable, like a chunked request body, so it drives the one-shot-stream paths.
    """

    def __init__(self, size: int, seed: int = 0) -> None:
        self._remaining = size
        self._rng = random.Random(seed)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = min(len(buffer), self._remaining)
        buffer[:n] = self._rng.randbytes(n)
        self._remaining -= n
        return n


@pytest.fixture
def generated_stream():
    """Factory for non-seekable streams: generated_stream(size, seed=0)."""

    def make(size: int, seed: int = 0) -> io.RawIOBase:
        return GeneratedStream(size, seed)

    return make
