"""SearchEngine on Whoosh: one object per process, shared by its threads.

Reads: the live generation is opened once; each search does one stat of CURRENT and one
directory listing (Whoosh's generation check) and only reopens when something changed.
Writes: one Whoosh writer at a time across processes (whoosh_writer retries acquiring it with
backoff and cancels a failed commit so the lock is freed). What is written is loaded while the
lock is held (apply), so of two writers the later one always read the later state; documents
whose fingerprint is unchanged are not rewritten.
"""

from __future__ import annotations

import logging
import re
import shutil
import threading
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from whoosh import index as whoosh_index

from . import evaluate, planner, whoosh_writer
from .highlight import snippets
from .querylang import parse
from .types import (
    SORTS,
    STATUSES,
    Changes,
    Hit,
    IndexBusyError,
    SearchDocument,
    SearchRequest,
    SearchResponse,
    TextsFor,
)
from .whoosh_analysis import ANALYZER
from .whoosh_schema import SpellingCarriers, fingerprint, to_fields
from .whoosh_segments import WhooshSegment
from .whoosh_snapshot import VocabularyCache, WhooshSnapshot
from .whoosh_store import CorruptIndex, Store

log = logging.getLogger(__name__)

WRITE_ATTEMPTS = 3
SWAP_TIMEOUT = 60.0  # a rebuild waits this long for the live generation's writers
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
            except Exception as exc:
                # Another worker may be creating or swapping the index this very moment; the
                # first search reopens it, so one line is enough.
                log.warning("search index could not be warmed at open (%r); the first search "
                            "reopens it", exc)

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

    def search(self, request: SearchRequest, texts_for: TextsFor | None = None) -> SearchResponse:
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
        if texts_for is not None and response.hits:
            self._highlight(response.hits, plan, texts_for)
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
        exclude = frozenset(request.exclude)
        key = (snapshot.generation, request.text, filters, statuses, sort, needed, today, exclude)
        outcome = self._results.get(key)
        if outcome is None:
            hidden = snapshot.masks(exclude) if exclude else ()
            outcome = evaluate.run(snapshot, plan, selected, statuses, sort, needed, today, hidden)
            if len(self._results) >= RESULT_CACHE_SIZE:
                self._results.pop(next(iter(self._results)))
            self._results[key] = outcome
        return outcome

    def _hit(self, snapshot: WhooshSnapshot, vi: int, docnum: int, score: float) -> Hit:
        seg = snapshot.views[vi].seg
        title, kind, stage, updated_at = seg.stored_hit(docnum)
        asset_id = seg.column("aid")[docnum]
        return Hit(asset_id, round(score, 4), title, kind, stage, updated_at, [])

    def _highlight(self, hits: list[Hit], plan: planner.Plan, texts_for: TextsFor) -> None:
        """One call for all shown hits; a hit without a text (the caller may not show it, or
        it has none) gets no snippets."""
        try:
            texts = texts_for([hit.asset_id for hit in hits])
        except Exception:
            log.exception("texts_for failed; hits shown without snippets")
            return
        for hit in hits:
            text = texts.get(hit.asset_id)
            if text is not None:
                hit.highlights = snippets(text, ANALYZER, plan.marks, plan.pairs)

    # --- writing --------------------------------------------------------------------------

    def index(self, docs: Iterable[SearchDocument]) -> int:
        docs = list(docs)
        return self.apply(lambda: (docs, set())) if docs else 0

    def remove(self, asset_ids: Iterable[int]) -> int:
        ids = {int(asset_id) for asset_id in asset_ids}
        return self.apply(lambda: ([], ids)) if ids else 0

    def apply(self, load: Callable[[], Changes], timeout: float | None = None) -> int:
        """Write what `load` returns, loading it under the write lock (waiting `timeout`
        seconds for it, default whoosh_writer.WRITE_TIMEOUT). If a rebuild swapped
        generations meanwhile, load and write again into the new one; after WRITE_ATTEMPTS
        swaps give up with IndexBusyError, so the caller never takes the change as written."""
        for _ in range(WRITE_ATTEMPTS):
            with self._lock:
                ix, name = self._writable()
            try:
                written = self._write_once(ix, load, timeout)
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
                return written
        raise IndexBusyError(f"the index was replaced during each of {WRITE_ATTEMPTS} writes")

    def _write_once(self, ix: Any, load: Callable[[], Changes], timeout: float | None) -> int:
        writer = whoosh_writer.acquire(ix, {}, timeout=timeout)
        try:
            docs, gone = load()
            with self._lock:
                docs, gone = self._changed(docs, gone)
            whoosh_writer.write(writer, docs, gone)
        except BaseException:
            whoosh_writer.abandon(writer)
            raise
        if not docs and not gone:
            # Nothing changed: no commit, so no new generation and the caches stay warm.
            whoosh_writer.abandon(writer)
            return 0
        whoosh_writer.commit(writer)
        return len(docs) + len(gone)

    def _changed(self, docs: list[SearchDocument], gone: set[int]) -> Changes:
        """Leave out documents the live generation holds unchanged and removals of assets it
        does not hold. Called with the write lock held, so the snapshot is what the writer
        writes on top of."""
        snapshot = self._current_snapshot()
        places = snapshot.locate({doc.asset_id for doc in docs} | set(gone))
        fresh = [doc for doc in docs
                 if snapshot.fingerprint(places.get(doc.asset_id, [])) != fingerprint(doc)]
        return fresh, {asset_id for asset_id in gone if asset_id in places}

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

    def rebuild(
        self,
        docs: Iterable[SearchDocument],
        procs: int = 1,
        catch_up: Callable[[], Changes] | None = None,
    ) -> None:
        build = self.store.begin_build()
        try:
            count = self._build(build, docs, procs)
            self._swap_in(build, catch_up)
        except BaseException:
            shutil.rmtree(build, ignore_errors=True)
            raise
        with self._lock:
            self._open()
            self.needs_rebuild = False
        log.info("search index rebuilt: %d documents", count)

    def _swap_in(self, build: Any, catch_up: Callable[[], Changes] | None) -> None:
        """Publish the build. With `catch_up`, the live generation's write lock is held from
        before catch_up reads the database until after the swap: a change cannot land in the
        old generation unseen, and writers waiting for that lock then retry on the new one."""
        if catch_up is None:
            self.store.finish_build(build)
            return
        with self._lock:
            live, _ = self._writable()
        held = whoosh_writer.acquire(live, {}, timeout=SWAP_TIMEOUT)
        try:
            docs, gone = catch_up()
            if docs or gone:
                with whoosh_writer.writer(whoosh_index.open_dir(str(build))) as writer:
                    whoosh_writer.write(writer, docs, gone)
            self.store.finish_build(build)
        finally:
            whoosh_writer.abandon(held)  # nothing was written to the old generation

    def _build(self, build: Any, docs: Iterable[SearchDocument], procs: int) -> int:
        ix = whoosh_index.open_dir(str(build))
        options: dict[str, Any] = {"limitmb": REBUILD_MB_TOTAL // max(1, procs)}
        if procs > 1:
            options.update(procs=procs, multisegment=True)
        count, carriers = 0, SpellingCarriers()
        with whoosh_writer.writer(ix, **options) as writer:
            for doc in docs:
                writer.add_document(**to_fields(doc, carriers))
                count += 1
        built = ix.doc_count()
        if built != count:  # MpWriter drops a sub-process's work silently if it dies
            raise RuntimeError(f"rebuild indexed {built} of {count} documents")
        return count


def _suggestion(text: str, corrections: dict[str, str]) -> str | None:
    if not corrections:
        return None

    def fix(match: re.Match[str]) -> str:
        return corrections.get(ANALYZER.fold(match.group()), match.group())

    suggested = re.sub(r"\w+", fix, " ".join(text.split()))
    return suggested if suggested != " ".join(text.split()) else None
