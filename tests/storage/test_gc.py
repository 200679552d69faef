"""Garbage collection against the real backends (local disk, moto S3 over HTTP), racing with
uploads: a blob that gains a reference, or is deduplicated onto, between the listing and the
deletion survives.

The races are staged at the points where they can happen: in the middle of GC's work, through
the reference provider GC calls (the public interface a library gives it) and through a storage
whose listing lets an upload in before it returns. The code under test runs unpatched.
"""

from __future__ import annotations

import io
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest

from app.storage import BlobNotFound, LocalStorage, S3Storage
from app.storage.gc import collect_garbage

GRACE = timedelta(hours=1)
ORPHAN = b"left behind by an upload whose commit failed"
HOUR = 3600


def _make_old(storage, key) -> datetime:
    """Age a blob past the grace period; returns the `now` to collect with."""
    if isinstance(storage, LocalStorage):
        past = time.time() - 2 * HOUR
        os.utime(Path(storage.root, key), (past, past))
        return datetime.now(UTC)
    # S3 cannot backdate an object, so GC's clock runs ahead instead: just past the grace
    # period after the object's own time, so that any later refresh counts as fresh.
    return storage.modified_at(key) + GRACE + timedelta(milliseconds=500)


def _wait_past(storage, key) -> None:
    """S3 timestamps may have 1 s resolution: make sure a refresh from now on is later."""
    if isinstance(storage, S3Storage):
        later = storage.modified_at(key) + timedelta(seconds=1.1)
        while datetime.now(UTC) < later:
            time.sleep(0.05)


class Rows:
    """The database's view of which keys are referenced, as a reference provider sees it."""

    def __init__(self, *keys: str) -> None:
        self.committed = set(keys)
        self.calls = 0
        self.on_call: dict[int, object] = {}

    def __call__(self) -> set[str]:
        self.calls += 1
        answer = set(self.committed)
        action = self.on_call.get(self.calls)
        if action:
            action()
        return answer

    def commit(self, key: str) -> None:
        self.committed.add(key)


def test_unreferenced_old_blobs_go_and_the_rest_stay(storage):
    kept = storage.save(io.BytesIO(b"referenced"))
    orphan = storage.save(io.BytesIO(ORPHAN))
    now = max(_make_old(storage, kept.key), _make_old(storage, orphan.key))
    _wait_past(storage, orphan.key)
    young = storage.save(io.BytesIO(b"an upload in flight"))
    report = collect_garbage(storage, Rows(kept.key), now, GRACE)
    assert (report.scanned, report.kept, report.deleted, report.rescued) == (3, 1, 1, 0)
    assert storage.exists(kept.key) and storage.exists(young.key)
    assert not storage.exists(orphan.key)


def test_a_reference_committed_after_the_first_read_saves_the_blob(storage):
    """The row commits after GC read the references once: the re-check right before the
    deletion sees it."""
    orphan = storage.save(io.BytesIO(ORPHAN))
    now = _make_old(storage, orphan.key)
    rows = Rows()
    rows.on_call[1] = lambda: rows.commit(orphan.key)
    report = collect_garbage(storage, rows, now, GRACE)
    assert (report.deleted, report.rescued) == (0, 1)
    assert storage.exists(orphan.key) and rows.calls == 2


def test_an_upload_deduplicating_onto_an_orphan_after_the_first_read_keeps_it(storage):
    """An upload stores the same bytes (a dedup hit: no new blob, a refreshed time) and has not
    committed its row by the time GC deletes: the refreshed time protects it."""
    orphan = storage.save(io.BytesIO(ORPHAN))
    now = _make_old(storage, orphan.key)
    _wait_past(storage, orphan.key)
    rows = Rows()
    uploads = []
    rows.on_call[1] = lambda: uploads.append(storage.save(io.BytesIO(ORPHAN)))
    report = collect_garbage(storage, rows, now, GRACE)
    assert uploads == [orphan] and (report.deleted, report.rescued) == (0, 1)
    rows.commit(orphan.key)  # the upload's commit, after GC is done
    with storage.open(orphan.key) as fh:
        assert fh.read() == ORPHAN


class ListingLetsAnUploadIn:
    """A storage whose listing returns just before an upload of the same bytes commits."""

    def __init__(self, storage, rows: Rows, data: bytes) -> None:
        self.storage, self.rows, self.data = storage, rows, data

    def __getattr__(self, name):
        return getattr(self.storage, name)

    def iter_blobs(self):
        yield from list(self.storage.iter_blobs())
        self.rows.commit(self.storage.save(io.BytesIO(self.data)).key)


def test_an_upload_that_commits_during_the_listing_keeps_its_blob(storage):
    orphan = storage.save(io.BytesIO(ORPHAN))
    now = _make_old(storage, orphan.key)
    rows = Rows()
    report = collect_garbage(ListingLetsAnUploadIn(storage, rows, ORPHAN), rows, now, GRACE)
    assert report.deleted == 0 and orphan.key in rows.committed
    assert storage.exists(orphan.key)


def test_an_upload_after_local_gc_moved_the_blob_aside_stores_its_own_copy(local_storage):
    """LocalStorage moves candidates aside before its last check: an upload that arrives then
    finds no blob, stores its own copy, and GC's deletion cannot touch that copy."""
    storage = local_storage
    orphan = storage.save(io.BytesIO(ORPHAN))
    now = _make_old(storage, orphan.key)
    rows = Rows()
    seen = []

    def upload_while_held():
        seen.append(storage.exists(orphan.key))
        seen.append(storage.save(io.BytesIO(ORPHAN)))

    rows.on_call[2] = upload_while_held  # the second read comes after the move
    report = collect_garbage(storage, rows, now, GRACE)
    assert seen == [False, orphan] and report.deleted == 1  # the old copy went
    assert Path(storage.root, orphan.key).read_bytes() == ORPHAN  # the upload's copy stays
    assert list(Path(storage.tmp_dir, "gc").iterdir()) == []


def test_local_gc_puts_blobs_back_when_reading_references_fails(local_storage):
    storage = local_storage
    orphan = storage.save(io.BytesIO(ORPHAN))
    now = _make_old(storage, orphan.key)
    rows = Rows()

    def database_gone():
        raise ConnectionError("database went away")

    rows.on_call[2] = database_gone
    with pytest.raises(ConnectionError):
        collect_garbage(storage, rows, now, GRACE)
    assert storage.exists(orphan.key) and list(Path(storage.tmp_dir, "gc").iterdir()) == []


def test_blobs_a_crashed_gc_left_aside_are_put_back(local_storage):
    storage = local_storage
    blob = storage.save(io.BytesIO(b"referenced by a row"))
    held = Path(storage.tmp_dir, "gc", blob.sha256 + ".dead")
    held.parent.mkdir(parents=True)
    os.rename(Path(storage.root, blob.key), held)  # where a GC killed mid-way leaves it
    Path(held.parent, "not-a-blob").write_bytes(b"x")
    storage.cleanup_temp()
    assert storage.exists(blob.key) and not held.exists()


def test_dry_run_deletes_nothing(storage):
    orphan = storage.save(io.BytesIO(ORPHAN))
    now = _make_old(storage, orphan.key)
    report = collect_garbage(storage, Rows(), now, GRACE, dry_run=True)
    assert report.deleted == 1 and storage.exists(orphan.key)


def test_s3_dedup_onto_an_object_deleted_meanwhile_uploads_again(s3_storage, moto_server):
    """GC deletes the object between the upload's existence check and its refresh: the upload
    must not fail, and must not leave its row pointing at nothing."""
    blob = s3_storage.save(io.BytesIO(ORPHAN))
    gc_client = boto3.client("s3", endpoint_url=moto_server, region_name="us-east-1")

    def gc_deletes_first(**_):
        gc_client.delete_object(Bucket=s3_storage.bucket, Key=s3_storage.prefix + blob.key)

    s3_storage.client.meta.events.register("before-call.s3.CopyObject", gc_deletes_first)
    assert s3_storage.save(io.BytesIO(ORPHAN)) == blob
    with s3_storage.open(blob.key) as fh:
        assert fh.read() == ORPHAN
    gc_client.close()


def test_modified_at_is_refreshed_by_a_dedup_hit(storage):
    blob = storage.save(io.BytesIO(ORPHAN))
    if isinstance(storage, LocalStorage):
        _make_old(storage, blob.key)
    _wait_past(storage, blob.key)
    before = storage.modified_at(blob.key)
    storage.save(io.BytesIO(ORPHAN))
    assert storage.modified_at(blob.key) > before
    storage.delete(blob.key)
    with pytest.raises(BlobNotFound):
        storage.modified_at(blob.key)
