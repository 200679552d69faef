"""Storage fixtures.

`aws_test_env` and `moto_server` depend on nothing from the app, so they can move to
tests/conftest.py unchanged. moto runs as its own process and we talk to it over real
HTTP: that exercises botocore's signing, multipart and presigned URLs the way
production does, which in-process mocking would short-circuit.
"""

from __future__ import annotations

import io
import os
import random
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

import boto3
import pytest

from app.storage.local import LocalStorage
from app.storage.s3 import S3Storage

_FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}
# A developer's profile or config file must never redirect tests at a real account.
_UNSET_AWS_ENV = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3")


@pytest.fixture(scope="session")
def aws_test_env():
    touched = [*_FAKE_AWS_ENV, *_UNSET_AWS_ENV]
    saved = {name: os.environ.get(name) for name in touched}
    for name in _UNSET_AWS_ENV:
        os.environ.pop(name, None)
    os.environ.update(_FAKE_AWS_ENV)
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(proc: subprocess.Popen, url: str, log_path, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"moto server exited with {proc.returncode}:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310 - fixed http URL
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    pytest.fail(f"moto server did not answer within {timeout}s:\n{log_path.read_text()}")


@pytest.fixture(scope="session")
def moto_server(aws_test_env, tmp_path_factory):
    """Endpoint URL of a moto S3 server running in a separate process."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    # A file, not a pipe: moto logs every request and a full pipe would block it.
    log_path = tmp_path_factory.mktemp("moto") / "moto.log"
    cmd = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(proc, url, log_path)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


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
