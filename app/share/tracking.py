"""Beacons and downloads: what a visit looked at, for how long.

A beacon names its visit by the visit's key and reports seconds per (item, page) since the last
beacon. Nothing in it is trusted: items must belong to the link, pages must exist, each beacon
is rate-limited per visit, and a visit can never hold more seconds than have passed since it
started, so replaying or forging beacons cannot inflate the numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.core.errors import NotFound, TooManyRequests, ValidationFailed
from app.core.timeutil import utcnow
from app.extensions import db
from app.share import content, tokens
from app.share.links import shown_items
from app.share.models import ShareItem, ShareLink, ShareVisit, VisitTime

MAX_ENTRIES = 100
MAX_PAGE = 10_000
# Slack for clocks and the beacon in flight: a visit may report a little more than wall time.
GRACE_SECONDS = 5.0



@dataclass(frozen=True)
class Entry:
    item_id: int
    page: int
    seconds: float


def visit_of(link: ShareLink, key: object) -> ShareVisit:
    visit_id = tokens.visit_id_of(key)
    visit = db.session.get(ShareVisit, visit_id) if visit_id else None
    if visit is None or visit.link_id != link.id:
        raise NotFound("No such visit.")
    return visit


def parse_entries(raw: object) -> list[Entry]:
    """[[item_id, page, seconds], ...] as the viewer's script sends them."""
    if not isinstance(raw, list) or len(raw) > MAX_ENTRIES:
        raise ValidationFailed(f"t is a list of at most {MAX_ENTRIES} entries.", {"t": "invalid"})
    entries = []
    for entry in raw:
        if not (isinstance(entry, list) and len(entry) == 3):
            raise ValidationFailed("Each entry is [item, page, seconds].", {"t": "invalid"})
        item_id, page, seconds = entry
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (item_id, page)) \
                or not isinstance(seconds, int | float) or isinstance(seconds, bool) \
                or not math.isfinite(seconds) or not 0 <= page <= MAX_PAGE or seconds < 0:
            raise ValidationFailed("Each entry is [item, page, seconds].", {"t": "invalid"})
        entries.append(Entry(item_id, page, float(seconds)))
    return entries


def record_beacon(link: ShareLink, key: object, raw_entries: object,
                  time_zone: object = None, accept_language: str = "") -> float:
    """Add a beacon's seconds to its visit; returns the seconds accepted."""
    visit = visit_of(link, key)
    entries = parse_entries(raw_entries)
    _count_beacon(visit)
    items = {item.id: item for item in shown_items(link)}
    if any(e.item_id not in items for e in entries):
        raise ValidationFailed("That item is not in this link.", {"t": "unknown_item"})
    pages = {item_id: content.pages_of(items[item_id]) for item_id in {e.item_id for e in entries}}
    for entry in entries:
        paged, count = pages[entry.item_id]
        if (entry.page == 0) == paged or (count and entry.page > count):
            raise ValidationFailed("No such page.", {"t": "unknown_page"})
    accepted = _take_budget(visit, entries)
    for entry, seconds in accepted:
        _add_time(visit, items[entry.item_id], entry.page, seconds)
    if not visit.location and not visit.anonymous and time_zone is not None:
        from app.share.location import coarse_location

        tz = time_zone if isinstance(time_zone, str) else None
        visit.location = coarse_location(tz, accept_language)[:80]
    db.session.commit()
    return sum(seconds for _, seconds in accepted)


def _take_budget(visit: ShareVisit, entries: list[Entry]) -> list[tuple[Entry, float]]:
    """The seconds of each entry that fit in the visit's wall time, added to the visit by one
    conditional UPDATE, so concurrent beacons of a visit neither lose time nor overspend it
    (PostgreSQL re-checks the condition after the row lock; SQLite serialises the writes)."""
    now = utcnow()
    limit = (now - visit.started_at).total_seconds() + GRACE_SECONDS
    for _attempt in range(3):
        shares, room = [], max(limit - visit.seconds, 0.0)
        for entry in entries:
            seconds = min(entry.seconds, room)
            room -= seconds
            if seconds > 0:
                shares.append((entry, seconds))
        total = sum(seconds for _, seconds in shares)
        done = db.session.execute(
            db.update(ShareVisit).where(ShareVisit.id == visit.id,
                                        ShareVisit.seconds + total <= limit)
            .values(seconds=ShareVisit.seconds + total, beacons=ShareVisit.beacons + 1,
                    last_seen_at=now).execution_options(synchronize_session=False)).rowcount
        db.session.refresh(visit)
        if done:
            return shares
    return []


def _count_beacon(visit: ShareVisit) -> None:
    from limits import parse_many

    from app.auth.ratelimit import limiter_of

    limiter = limiter_of(current_app).limiter
    for limit in parse_many(current_app.config["SHARE_BEACON_LIMIT"]):
        if not limiter.hit(limit, "share-beacon", str(visit.id)):
            raise TooManyRequests("Too many beacons for this visit.")


def _add_time(visit: ShareVisit, item: ShareItem, page: int, seconds: float) -> None:
    version_id = content.version_of(item).id
    row = db.session.scalar(db.select(VisitTime).where(
        VisitTime.visit_id == visit.id, VisitTime.item_id == item.id, VisitTime.page == page))
    if row is not None:
        _add_seconds(visit.id, item.id, page, seconds)
        return
    first_look = db.session.scalar(db.select(VisitTime.id).where(
        VisitTime.visit_id == visit.id, VisitTime.item_id == item.id).limit(1)) is None
    try:
        with db.session.begin_nested():
            db.session.add(VisitTime(visit_id=visit.id, item_id=item.id, page=page,
                                     seconds=seconds, version_id=version_id))
    except IntegrityError:  # a beacon of the same visit inserted it a moment ago
        _add_seconds(visit.id, item.id, page, seconds)
        return
    if first_look:
        _record_usage(visit, item, version_id)


def _add_seconds(visit_id: int, item_id: int, page: int, seconds: float) -> None:
    """In SQL, not in Python: two beacons adding to one page must both count."""
    db.session.execute(db.update(VisitTime).where(
        VisitTime.visit_id == visit_id, VisitTime.item_id == item_id, VisitTime.page == page)
        .values(seconds=VisitTime.seconds + seconds)
        .execution_options(synchronize_session=False))


def _record_usage(visit: ShareVisit, item: ShareItem, version_id: int) -> None:
    """The first look of a prospect at an item of a deal-linked link is usage on the deal."""
    link = visit.link
    if link.deal_id is None or not visit.prospect:
        return
    from app.deals.services import record_view

    record_view(link.deal_id, item.asset_id, version_id, item.fork_id, link.owner_id)


def record_download(link: ShareLink, visit: ShareVisit, item: ShareItem) -> None:
    db.session.execute(db.update(ShareVisit).where(ShareVisit.id == visit.id)
                       .values(downloads=ShareVisit.downloads + 1, last_seen_at=utcnow())
                       .execution_options(synchronize_session=False))
    db.session.commit()


def watermark_text(link: ShareLink, visit: ShareVisit) -> str:
    who = visit.viewer_email or "an anonymous viewer"
    return (f"Shared with {who} via Lockstep link '{link.title[:80]}' · "
            f"{utcnow():%Y-%m-%d} · ref L{link.id}-V{visit.id}")
