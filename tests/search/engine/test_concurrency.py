"""Never locked out, never out of date: concurrent writer processes, failed commits, the
rebuild swap seen from another engine object, and corrupt or missing index directories."""

from __future__ import annotations

import multiprocessing
import queue
import shutil
import threading
import time
from pathlib import Path

import pytest

from app.search.engine import IndexBusyError, SearchRequest, open_engine, whoosh_writer

from .conftest import TODAY


def request(text: str) -> SearchRequest:
    return SearchRequest(text, {}, ("published",), per_page=100, today=TODAY)


def test_two_processes_writing_at_once_lose_nothing(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(Path(__file__).parent))
    import engine_procs  # noqa: PLC0415 - importable by name so spawned children find it

    index_dir = str(tmp_path / "index")
    open_engine(index_dir).close()  # both children open an existing index
    ctx = multiprocessing.get_context("spawn")
    barrier, errors = ctx.Barrier(2), ctx.Queue()
    children = [
        ctx.Process(
            target=engine_procs.index_in_batches, args=(index_dir, first, 200, 4, barrier, errors)
        )
        for first in (1, 1001)
    ]
    for child in children:
        child.start()
    for child in children:
        child.join(timeout=240)
    failures = []
    while True:
        try:
            failures.append(errors.get(timeout=0.1))
        except queue.Empty:
            break
    assert failures == [] and [c.exitcode for c in children] == [0, 0], failures
    engine = open_engine(index_dir)
    assert engine.doc_count() == 400
    found = engine.search(SearchRequest("concurrent", {}, ("published",), per_page=100))
    assert found.total == 400
    engine.close()


def _flaky_commit(monkeypatch, how: str) -> list[object]:
    writers: list[object] = []
    real = whoosh_writer.acquire

    def acquire(ix, options, timeout=None):
        writer = real(ix, options, timeout)
        writers.append(writer)
        if len(writers) == 1:

            def boom(*args, **kwargs):
                raise OSError("disk full")

            setattr(writer, how, boom)
        return writer

    monkeypatch.setattr(whoosh_writer, "acquire", acquire)
    return writers


@pytest.mark.parametrize("how", ["commit", "_commit_toc"])
def test_a_failed_commit_releases_the_lock(engine, make_doc, search, ids, monkeypatch, how):
    writers = _flaky_commit(monkeypatch, how)
    with pytest.raises(OSError, match="disk full"):
        engine.index([make_doc(1, title="first attempt")])
    monkeypatch.setattr(whoosh_writer, "WRITE_TIMEOUT", 0.5)
    started = time.monotonic()
    engine.index([make_doc(2, title="second attempt")])  # would wait, then fail, if still held
    assert time.monotonic() - started < 0.5 and len(writers) == 2
    assert ids(search("attempt")) == [2]


def test_a_held_lock_times_out_with_index_busy_not_lock_error(engine, make_doc, monkeypatch):
    holder = whoosh_writer.acquire(engine._ix, {})
    monkeypatch.setattr(whoosh_writer, "WRITE_TIMEOUT", 0.3)
    try:
        with pytest.raises(IndexBusyError):
            engine.index([make_doc(1)])
    finally:
        holder.cancel()
    engine.index([make_doc(1)])
    assert engine.doc_count() == 1


def test_waiting_writers_get_the_lock_when_it_is_freed(engine, make_doc):
    holder = whoosh_writer.acquire(engine._ix, {})
    threading.Timer(0.3, holder.cancel).start()
    engine.index([make_doc(1)])  # retries with backoff until the holder lets go
    assert engine.doc_count() == 1


def test_rebuild_swaps_under_a_reader_in_another_engine(tmp_path, make_doc):
    index_dir = str(tmp_path / "index")
    writer, reader = open_engine(index_dir), open_engine(index_dir)
    writer.index([make_doc(i, title=f"old asset {i}") for i in range(1, 6)])
    assert reader.search(request("asset")).total == 5
    problems: list[object] = []
    stop = threading.Event()

    def keep_searching() -> None:
        while not stop.is_set():
            response = reader.search(request("asset"))
            if response.message or response.total not in (5, 300):
                problems.append((response.total, response.message))

    thread = threading.Thread(target=keep_searching)
    thread.start()
    writer.rebuild([make_doc(i, title=f"new asset {i}") for i in range(100, 400)])
    time.sleep(0.2)
    stop.set()
    thread.join()
    assert problems == []
    found = reader.search(request("new asset"))
    assert found.total == 300 and reader.search(request("old")).total == 0
    reader.index([make_doc(999, title="written after the swap")])
    assert writer.search(request("swap")).total == 1  # went to the new generation
    writer.close()
    reader.close()


def test_old_generations_are_cleaned_up(tmp_path, make_doc):
    engine = open_engine(str(tmp_path / "index"))
    for round_ in range(4):
        engine.rebuild([make_doc(round_ + 1)])
    generations = [p for p in (tmp_path / "index").iterdir() if p.name.startswith("gen-")]
    assert len(generations) == 2  # the live one and the one before it
    assert engine.doc_count() == 1
    engine.close()


def test_rebuild_with_two_processes(engine, make_doc, search):
    engine.rebuild([make_doc(i, title=f"parallel {i}") for i in range(1, 501)], procs=2)
    assert engine.doc_count() == 500
    assert search("parallel", per_page=100).total == 500
    assert search("paralel").total == 500  # the spelling vocabulary survived the split


def test_missing_directory_is_created_and_flagged(tmp_path):
    engine = open_engine(str(tmp_path / "does" / "not" / "exist"))
    assert engine.needs_rebuild and engine.doc_count() == 0
    engine.close()


@pytest.mark.parametrize("damage", ["garbage", "bad_pointer", "bad_generation", "old_schema"])
def test_corrupt_index_opens_empty_and_asks_for_a_rebuild(tmp_path, make_doc, damage):
    root = tmp_path / "index"
    healthy = open_engine(str(root))
    healthy.rebuild([make_doc(1, title="pricing")])
    live = root / (root / "CURRENT").read_text().strip()
    healthy.close()
    if damage == "garbage":
        for name in ("CURRENT", "junk.toc", "_MAIN_1.toc"):
            (root / name).write_bytes(b"\x00\xffnot an index" * 50)
    elif damage == "bad_pointer":
        (root / "CURRENT").write_text("gen-that-does-not-exist\n")
    elif damage == "bad_generation":
        for path in live.iterdir():
            if path.name != "ENGINE":
                path.write_bytes(b"garbage")
    else:
        (live / "ENGINE").write_text("lockstep-engine-0\n")
    engine = open_engine(str(root))
    assert engine.needs_rebuild
    response = engine.search(request("pricing"))
    assert response.total == 0 and response.hits == []
    engine.rebuild([make_doc(1, title="pricing")])
    assert not engine.needs_rebuild and engine.search(request("pricing")).total == 1
    engine.close()


@pytest.mark.parametrize("damage", ["overwritten", "deleted"])
def test_an_index_damaged_while_open_never_raises(tmp_path, make_doc, damage):
    root = tmp_path / "index"
    engine = open_engine(str(root))
    engine.index([make_doc(1, title="pricing")])
    assert engine.search(request("pricing")).total == 1
    live = root / (root / "CURRENT").read_text().strip()
    if damage == "deleted":
        shutil.rmtree(live)
    else:
        for path in live.iterdir():
            path.write_bytes(b"garbage")
    engine.index([make_doc(2, title="pricing two")])  # a write must not be lost silently...
    response = engine.search(request("pricing"))  # ...and a search must not raise
    assert engine.needs_rebuild
    assert response.total in (0, 1, 2)
    engine.close()


def test_threads_share_one_engine(engine, make_doc):
    engine.index([make_doc(i, title=f"shared {i}") for i in range(1, 51)])
    errors: list[BaseException] = []

    def reader() -> None:
        try:
            for _ in range(30):
                response = engine.search(request("shared"))
                assert response.message is None and response.total >= 50
        except BaseException as exc:  # reported to the main thread
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for thread in threads:
        thread.start()
    for i in range(51, 71):
        engine.index([make_doc(i, title=f"shared {i}")])
    for thread in threads:
        thread.join()
    assert errors == []
    assert engine.search(request("shared")).total == 70
