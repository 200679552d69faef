"""SearchEngine on Whoosh: one object per process, shared by its threads.

Reads: the live generation is opened once; each search does one stat of CURRENT and one
directory listing (Whoosh's generation check) and only reopens when something changed.
Writes: one Whoosh writer at a time across processes; acquiring it retries with jittered
backoff for up to WRITE_TIMEOUT seconds and a failed commit is cancelled so the lock is freed.
"""

from __future__ import annotations

import logging
import random
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from whoosh import index as whoosh_index
from whoosh.index import LockError

from . import evaluate, planner
from .highlight import snippets
from .querylang import parse
from .types import (
    SORTS,
    STATUSES,
    Hit,
    IndexBusyError,
    SearchDocument,
    SearchRequest,
    SearchResponse,
)
from .whoosh_analysis import ANALYZER
from .whoosh_schema import Codec, SpellingCarriers, to_fields
from .whoosh_segments import WhooshSegment
from .whoosh_snapshot import VocabularyCache, WhooshSnapshot
from .whoosh_store import CorruptIndex, Store

log = logging.getLogger(__name__)

WRITE_TIMEOUT = 10.0
WRITER_MB = 128
# Whoosh spills postings to disk one pickle per posting once this many (estimated) MB are
# buffered, which dominated rebuild time. 3 GB split between the writer processes keeps a
# 20k-asset rebuild in memory (about 4 GB resident in all). Bigger libraries spill: slower
# (measured 2.4x at a third of the memory), still correct.
REBUILD_MB_TOTAL = 3072
MAX_PER_PAGE = 100
RESULT_CACHE_SIZE = 256
UNAVAILABLE = "Search is unavailable for a moment; please try again."


class WhooshEngine:
    def __init__(self, index_dir: str) -> None:
        self.store = Store(index_dir)
        self.needs_rebuild = False
        self._lock = threading.RLock()
        self._segments: dict[str, WhooshSegment] = {}
        self._vocabulary = VocabularyCache()
        self._results: dict[tuple, evaluate.Outcome] = {}
        self._ix: Any = None
        self._name: str | None = None
        self._stamp: tuple[int, int] | None = None
        self._snapshot: WhooshSnapshot | None = None
        with self._lock:
            self._open()
            try:
                self._current_snapshot().vocabulary()  # warm now, not in the first search
            except Exception:
                log.exception("search index could not be read at open")

    # --- opening --------------------------------------------------------------------------

    def _open(self) -> None:
        """Open the live generation, or replace a missing/corrupt one with an empty one."""
        stamp, name = self.store.stamp(), self.store.current()
        try:
            ix = self.store.open(name)
        except CorruptIndex as exc:
            stamp, name, ix = self._recreate(exc)
        self._close_snapshot()
        self._ix, self._name, self._stamp = ix, name, stamp
        self._segments.clear()
        self._vocabulary.reset()

    def _recreate(self, reason: Exception) -> tuple[Any, str, Any]:
        with self.store.exclusive():
            name = self.store.current()  # another process may have fixed it meanwhile
            try:
                return self.store.stamp(), name, self.store.open(name)
            except CorruptIndex:
                log.warning("search index unusable (%s); starting an empty one", reason)
                name = self.store.finish_build(self.store.begin_build(), locked=True)
                self.needs_rebuild = True
                return self.store.stamp(), name, self.store.open(name)

    def _current_snapshot(self) -> WhooshSnapshot:
        if self.store.stamp() != self._stamp:  # CURRENT is replaced by rename: new inode
            self._open()  # a rebuild elsewhere swapped generations
        if self._snapshot is None or self._ix.latest_generation() != self._snapshot.generation:
            self._close_snapshot()
            self._snapshot = WhooshSnapshot(self._ix.reader(), self._segments, self._vocabulary)
            evaluate.prepare(self._snapshot, date.today())
        return self._snapshot

    def _close_snapshot(self) -> None:
        if self._snapshot is not None:
            try:
                self._snapshot.close()
            except Exception:
                log.exception("closing an old index reader failed")
            self._snapshot = None
        self._results.clear()

    def close(self) -> None:
        """Release open index files (tests, and workers shutting down)."""
        with self._lock:
            self._close_snapshot()
            self._segments.clear()

    # --- reading --------------------------------------------------------------------------

    def doc_count(self) -> int:
        with self._lock:
            try:
                return self._current_snapshot().doc_count
            except Exception:
                log.exception("search index unreadable")
                return 0

    def search(
        self, request: SearchRequest, text_for: Callable[[int], str] | None = None
    ) -> SearchResponse:
        for attempt in (1, 2):
            try:
                with self._lock:
                    response, plan, shown = self._search(request)
                break
            except Exception:
                # A generation swapped or merged away mid-read surfaces as a missing file;
                # reopening fixes that. Anything else is logged, and the rep gets a message.
                log.exception("search failed (attempt %d)", attempt)
                with self._lock:
                    self._reset()
        else:
            return SearchResponse(0, [], {}, None, UNAVAILABLE)
        if text_for is not None:
            self._highlight(response.hits, plan, text_for)
        return response

    def _reset(self) -> None:
        if self._ix is not None:
            self._ix.storage.close_all()  # Whoosh leaks the streams of a failed read
        try:
            self._open()
        except Exception:
            log.exception("search index could not be reopened")

    def _search(self, request: SearchRequest) -> tuple[SearchResponse, planner.Plan, list]:
        snapshot = self._current_snapshot()
        plan = planner.build(parse(request.text), snapshot, ANALYZER)
        sort = request.sort if request.sort in SORTS else "relevance"
        per_page = min(MAX_PER_PAGE, max(1, int(request.per_page or 20)))
        page = max(1, int(request.page or 1))
        statuses = tuple(sorted(s for s in request.statuses if s in STATUSES))
        today = request.today or date.today()
        if plan.nothing_to_find:
            return SearchResponse(0, [], {}, None, " ".join(plan.notes)), plan, []
        outcome = self._outcome(snapshot, plan, request, statuses, sort, page * per_page, today)
        shown = outcome.ranked[(page - 1) * per_page : page * per_page]
        hits = [self._hit(snapshot, vi, d, score) for vi, d, score in shown]
        message = " ".join(plan.notes) or None
        suggestion = _suggestion(request.text, plan.corrections)
        return SearchResponse(outcome.total, hits, outcome.facets, suggestion, message), plan, shown

    def _outcome(
        self,
        snapshot: WhooshSnapshot,
        plan: planner.Plan,
        request: SearchRequest,
        statuses: tuple[str, ...],
        sort: str,
        needed: int,
        today: date,
    ) -> evaluate.Outcome:
        """Totals, facets and ranking are cached per generation: paging and repeated
        searches (results-as-you-type) reuse them; only highlights are redone."""
        selected = evaluate.selected_filters(request.filters)
        filters = tuple(sorted((f, tuple(sorted(v))) for f, v in selected.items()))
        key = (snapshot.generation, request.text, filters, statuses, sort, needed, today)
        outcome = self._results.get(key)
        if outcome is None:
            outcome = evaluate.run(snapshot, plan, selected, statuses, sort, needed, today)
            if len(self._results) >= RESULT_CACHE_SIZE:
                self._results.pop(next(iter(self._results)))
            self._results[key] = outcome
        return outcome

    def _hit(self, snapshot: WhooshSnapshot, vi: int, docnum: int, score: float) -> Hit:
        seg = snapshot.views[vi].seg
        title, kind, stage, updated_at = seg.stored_hit(docnum)
        asset_id = seg.column("aid")[docnum]
        return Hit(asset_id, round(score, 4), title, kind, stage, updated_at, [])

    def _highlight(
        self, hits: list[Hit], plan: planner.Plan, text_for: Callable[[int], str]
    ) -> None:
        for hit in hits:
            try:
                text = text_for(hit.asset_id)
            except Exception:
                log.exception("text_for(%s) failed; hit shown without snippets", hit.asset_id)
                continue
            hit.highlights = snippets(text or "", ANALYZER, plan.marks, plan.pairs)

    # --- writing --------------------------------------------------------------------------

    def index(self, docs: Iterable[SearchDocument]) -> None:
        docs = list(docs)
        if docs:
            self._write(lambda w: _update(w, docs))

    def remove(self, asset_ids: Iterable[int]) -> None:
        ids = list(asset_ids)
        if ids:
            self._write(lambda w: _delete(w, ids))

    def _write(self, apply: Callable[[Any], None]) -> None:
        """Apply to the live generation; if a rebuild swapped generations while we wrote,
        apply again to the new one so the change is not left behind in the old one."""
        for _ in range(3):
            with self._lock:
                ix, name = self._writable()
            try:
                with _writer(ix) as writer:
                    apply(writer)
            except IndexBusyError:
                raise
            except Exception:
                if not self._damaged(name):
                    raise  # a real write failure: the caller keeps the change and retries
                log.exception("search index damaged; starting an empty one")
                with self._lock:
                    self._reset()
                continue
            if self.store.current() == name:
                return

    def _damaged(self, name: str | None) -> bool:
        try:
            self.store.open(name)
        except CorruptIndex:
            return True
        return False

    def _writable(self) -> tuple[Any, str | None]:
        """The live index, recreated empty (needs_rebuild) if it cannot be read."""
        try:
            self._current_snapshot()
        except Exception:
            log.exception("search index unreadable before a write; reopening it")
            self._reset()
            self._current_snapshot()
        return self._ix, self._name

    def rebuild(self, docs: Iterable[SearchDocument], procs: int = 1) -> None:
        build = self.store.begin_build()
        try:
            count = self._build(build, docs, procs)
        except BaseException:
            shutil.rmtree(build, ignore_errors=True)
            raise
        self.store.finish_build(build)
        with self._lock:
            self._open()
            self.needs_rebuild = False
        log.info("search index rebuilt: %d documents", count)

    def _build(self, build: Any, docs: Iterable[SearchDocument], procs: int) -> int:
        ix = whoosh_index.open_dir(str(build))
        options: dict[str, Any] = {"limitmb": REBUILD_MB_TOTAL // max(1, procs)}
        if procs > 1:
            options.update(procs=procs, multisegment=True)
        count, carriers = 0, SpellingCarriers()
        with _writer(ix, **options) as writer:
            for doc in docs:
                writer.add_document(**to_fields(doc, carriers))
                count += 1
        built = ix.doc_count()
        if built != count:  # MpWriter drops a sub-process's work silently if it dies
            raise RuntimeError(f"rebuild indexed {built} of {count} documents")
        return count


@contextmanager
def _writer(ix: Any, **options: Any) -> Iterator[Any]:
    writer = _acquire(ix, options)
    try:
        yield writer
    except BaseException:
        _abandon(writer)
        raise
    try:
        writer.commit()
    except BaseException:
        _abandon(writer)  # otherwise the lock stays held until this process exits
        raise


def _acquire(ix: Any, options: dict[str, Any]) -> Any:
    deadline = time.monotonic() + WRITE_TIMEOUT
    delay = 0.005
    options = {"codec": Codec(), "compound": False, "limitmb": WRITER_MB, **options}
    while True:
        try:
            return ix.writer(**options)
        except LockError:
            if time.monotonic() >= deadline:
                raise IndexBusyError(f"index locked for over {WRITE_TIMEOUT:.0f}s") from None
            time.sleep(delay * random.uniform(0.5, 1.5))  # noqa: S311 - jitter, not crypto
            delay = min(delay * 2, 0.2)


def _abandon(writer: Any) -> None:
    try:
        writer.cancel()
    except Exception:
        log.exception("cancelling a failed writer failed; releasing its lock directly")
        lock = getattr(writer, "writelock", None)
        if lock is not None:
            try:
                lock.release()
            except Exception:
                log.exception("could not release the index write lock")


def _update(writer: Any, docs: list[SearchDocument]) -> None:
    for doc in docs:
        writer.delete_by_term("id", str(doc.asset_id))
        writer.add_document(**to_fields(doc))


def _delete(writer: Any, ids: list[int]) -> None:
    for asset_id in ids:
        writer.delete_by_term("id", str(int(asset_id)))


def _suggestion(text: str, corrections: dict[str, str]) -> str | None:
    if not corrections:
        return None

    def fix(match: re.Match[str]) -> str:
        return corrections.get(ANALYZER.fold(match.group()), match.group())

    suggested = re.sub(r"\w+", fix, " ".join(text.split()))
    return suggested if suggested != " ".join(text.split()) else None
