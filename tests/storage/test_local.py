"""LocalStorage specifics: on-disk layout, temp-file hygiene, traversal, memory bound."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.storage import UploadTooLarge, blob_key
from app.storage.local import LocalStorage

REPO_ROOT = Path(__file__).resolve().parents[2]


def _tmp_files(storage: LocalStorage) -> list[str]:
    return os.listdir(storage.tmp_dir)


def _all_files(storage: LocalStorage) -> list[str]:
    return sorted(
        os.path.relpath(os.path.join(d, f), storage.root)
        for d, _, files in os.walk(storage.root)
        for f in files
    )


def test_layout_is_content_addressed(local_storage):
    blob = local_storage.save(io.BytesIO(b"abc"))
    digest = hashlib.sha256(b"abc").hexdigest()
    assert _all_files(local_storage) == [os.path.join(digest[:2], digest[2:4], digest)]
    assert Path(local_storage.root, blob.key).read_bytes() == b"abc"
    assert _tmp_files(local_storage) == []


def test_relative_root_is_made_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    storage = LocalStorage("blobs")
    assert storage.root == str(tmp_path / "blobs")


def test_open_returns_real_file(local_storage):
    blob = local_storage.save(io.BytesIO(b"x" * 10))
    with local_storage.open(blob.key) as fh:
        # A real descriptor lets Werkzeug use sendfile / wrap_file.
        assert isinstance(fh.fileno(), int)


def test_url_is_none_so_the_app_streams(local_storage):
    blob = local_storage.save(io.BytesIO(b"x"))
    assert local_storage.url(blob.key, filename="a.pdf", content_type="x/y", inline=True) is None


def test_upload_too_large_leaves_no_temp_file(local_storage, generated_stream):
    with pytest.raises(UploadTooLarge):
        local_storage.save(generated_stream(5 * 1024 * 1024), max_bytes=1024 * 1024)
    assert _all_files(local_storage) == []


def test_failing_stream_leaves_no_temp_file(local_storage):
    class Broken(io.RawIOBase):
        calls = 0

        def readable(self):
            return True

        def readinto(self, buffer):
            self.calls += 1
            if self.calls > 2:
                raise OSError("client went away")
            buffer[:10] = b"0123456789"
            return 10

    with pytest.raises(OSError, match="client went away"):
        local_storage.save(Broken())
    assert _all_files(local_storage) == []


def test_dedup_refreshes_mtime_for_gc_grace_period(local_storage):
    blob = local_storage.save(io.BytesIO(b"dup"))
    path = Path(local_storage.root, blob.key)
    old = time.time() - 7 * 86400
    os.utime(path, (old, old))
    assert local_storage.save(io.BytesIO(b"dup")) == blob
    ((_, modified),) = local_storage.iter_blobs()
    assert datetime.now(UTC) - modified < timedelta(minutes=5)
    assert _tmp_files(local_storage) == []


def test_iter_blobs_skips_tmp_and_stray_files(local_storage):
    blob = local_storage.save(io.BytesIO(b"real"))
    Path(local_storage.tmp_dir, "upload-abc.part").write_bytes(b"partial")
    Path(local_storage.root, "README").write_text("x")
    Path(local_storage.root, blob.key).with_name("notes.txt").write_text("x")
    stray = Path(local_storage.root, "zz", "zz")
    stray.mkdir(parents=True)
    (stray / ("z" * 64)).write_text("x")
    assert [key for key, _ in local_storage.iter_blobs()] == [blob.key]


def test_cleanup_temp_removes_only_stale_files(local_storage):
    Path(local_storage.tmp_dir).mkdir(parents=True, exist_ok=True)
    stale = Path(local_storage.tmp_dir, "upload-stale.part")
    fresh = Path(local_storage.tmp_dir, "upload-fresh.part")
    stale.write_bytes(b"old")
    fresh.write_bytes(b"new")
    two_hours_ago = time.time() - 7200
    os.utime(stale, (two_hours_ago, two_hours_ago))
    assert local_storage.cleanup_temp(3600) == 1
    assert not stale.exists() and fresh.exists()


@pytest.mark.parametrize(
    "key",
    [
        "../../etc/passwd",
        "../outside",
        "ab/cd/../../x",
        "ab/cd/../../../outside",
        "/etc/passwd",
        "{victim}",
        "aa/aa/../../../outside/" + "a" * 64,
    ],
)
def test_path_traversal_never_touches_files_outside_root(tmp_path, key):
    storage = LocalStorage(str(tmp_path / "blobs"))
    victim = tmp_path / "outside"
    key = key.format(victim=victim)  # an absolute path straight at the victim
    victim.write_text("keep me")
    for call in (storage.open, storage.exists, storage.delete, storage.size):
        with pytest.raises(ValueError):
            call(key)
    assert victim.read_text() == "keep me"


def test_key_for_hash_maps_inside_root(local_storage):
    key = blob_key("ab" * 32)
    path = Path(local_storage._path(key)).resolve()
    assert path.is_relative_to(Path(local_storage.root).resolve())


# Runs in a fresh interpreter: ru_maxrss is a lifetime peak, so in the pytest process an
# earlier test (e.g. the 20 MiB S3 multipart upload) could hide any growth.
_MEMORY_PROBE = """
import io, random, resource, sys
from app.storage.local import LocalStorage

class Generated(io.RawIOBase):
    def __init__(self, size):
        self.left, self.rng = size, random.Random(0)
    def readable(self):
        return True
    def readinto(self, buf):
        n = min(len(buf), self.left)
        buf[:n] = self.rng.randbytes(n)
        self.left -= n
        return n

storage = LocalStorage(sys.argv[1])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
blob = storage.save(Generated(int(sys.argv[2])))
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(blob.size, after - before)
"""


def test_memory_stays_bounded_for_200mb_upload(tmp_path):
    size = 200 * 1024 * 1024
    result = subprocess.run(
        [sys.executable, "-c", _MEMORY_PROBE, str(tmp_path / "blobs"), str(size)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    stored, growth_kib = map(int, result.stdout.split())
    assert stored == size
    assert growth_kib < 50 * 1024, f"peak RSS grew by {growth_kib / 1024:.0f} MiB"
