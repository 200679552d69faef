"""Reading links and what their visits did: the rep's list, one link's visits, the heat of each
page, and a viewer's data for export."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.core.permissions import is_admin
from app.extensions import db
from app.share import content
from app.share.links import shown_items
from app.share.models import Notification, ShareItem, ShareLink, ShareVisit, VisitTime


def my_links(actor: User, everyone: bool = False) -> list[ShareLink]:
    """The actor's links, newest first; admins may ask for everyone's."""
    query = (select(ShareLink).order_by(ShareLink.created_at.desc(), ShareLink.id.desc())
             .options(selectinload(ShareLink.items).selectinload(ShareItem.asset),
                      selectinload(ShareLink.owner)))
    if not (everyone and is_admin(actor)):
        query = query.where(ShareLink.owner_id == actor.id)
    return list(db.session.scalars(query.limit(500)))


def visit_counts(link_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(prospect visits, prospect viewers) per link, for lists."""
    if not link_ids:
        return {}
    rows = db.session.execute(
        select(ShareVisit.link_id, func.count(), func.count(func.distinct(ShareVisit.viewer_email)),
               func.count(ShareVisit.id).filter(ShareVisit.viewer_email.is_(None)))
        .where(ShareVisit.link_id.in_(link_ids), ShareVisit.staff_user_id.is_(None),
               ShareVisit.bot.is_(False)).group_by(ShareVisit.link_id))
    return {link_id: (visits, named + (unnamed or 0)) for link_id, visits, named, unnamed in rows}


@dataclass
class VisitRow:
    visit: ShareVisit
    pages: dict[int, dict[int, float]]  # item id -> page -> seconds
    completion: int  # percent

    @property
    def kind(self) -> str:
        return "staff" if self.visit.staff else "bot" if self.visit.bot else "prospect"


@dataclass
class PageHeat:
    page: int
    seconds: float
    visits: int


@dataclass
class ItemHeat:
    item: ShareItem
    title: str
    seconds: float = 0.0
    pages: list[PageHeat] = field(default_factory=list)

    @property
    def hottest(self) -> float:
        return max((p.seconds for p in self.pages), default=0.0)


@dataclass
class LinkReport:
    visits: int
    prospect_visits: int
    viewers: int
    seconds: float
    downloads: int
    rows: list[VisitRow]
    heat: list[ItemHeat]

    @property
    def prospects(self) -> list[VisitRow]:
        return [r for r in self.rows if r.kind == "prospect"]

    @property
    def others(self) -> list[VisitRow]:
        return [r for r in self.rows if r.kind != "prospect"]


def link_report(link: ShareLink, limit: int = 1_000) -> LinkReport:
    visits = list(db.session.scalars(select(ShareVisit).where(ShareVisit.link_id == link.id)
                                     .order_by(ShareVisit.started_at.desc()).limit(limit)))
    times = _times([v.id for v in visits])
    items = shown_items(link) or list(link.items)
    page_counts = {item.id: content.pages_of(item) for item in items}
    rows = [VisitRow(v, times.get(v.id, {}), _completion(times.get(v.id, {}), page_counts))
            for v in visits]
    prospects = [r for r in rows if r.kind == "prospect"]
    return LinkReport(
        visits=len(rows), prospect_visits=len(prospects),
        viewers=_viewers([r.visit for r in prospects]),
        seconds=sum(r.visit.seconds for r in prospects),
        downloads=sum(r.visit.downloads for r in prospects), rows=rows,
        heat=_heat(items, prospects, page_counts))


def _times(visit_ids: list[int]) -> dict[int, dict[int, dict[int, float]]]:
    found: dict[int, dict[int, dict[int, float]]] = defaultdict(lambda: defaultdict(dict))
    for chunk in range(0, len(visit_ids), 500):
        ids = visit_ids[chunk:chunk + 500]
        for row in db.session.execute(select(VisitTime.visit_id, VisitTime.item_id,
                                             VisitTime.page, VisitTime.seconds)
                                      .where(VisitTime.visit_id.in_(ids))):
            found[row.visit_id][row.item_id][row.page] = row.seconds
    return found


def _completion(pages: dict[int, dict[int, float]],
                page_counts: dict[int, tuple[bool, int | None]]) -> int:
    """The share of the link seen, averaged over its items: pages seen out of the item's
    pages, or all of an unpaged item once it was looked at."""
    if not page_counts:
        return 0
    shares = []
    for item_id, (paged, count) in page_counts.items():
        seen = [p for p, s in pages.get(item_id, {}).items() if s > 0]
        if not seen:
            shares.append(0.0)
        elif paged and count:
            shares.append(min(len(set(seen)) / count, 1.0))
        else:
            shares.append(1.0)
    return round(100 * sum(shares) / len(shares))


def _viewers(visits: list[ShareVisit]) -> int:
    """Distinct e-mails; without one, distinct address hashes; without either, each visit."""
    named = {v.viewer_email for v in visits if v.viewer_email}
    hashed = {v.ip_hash for v in visits if not v.viewer_email and v.ip_hash}
    unknown = sum(1 for v in visits if not v.viewer_email and not v.ip_hash)
    return len(named) + len(hashed) + unknown


def _heat(items: list[ShareItem], prospects: list[VisitRow],
          page_counts: dict[int, tuple[bool, int | None]]) -> list[ItemHeat]:
    heat = []
    for item in items:
        paged, count = page_counts[item.id]
        per_page: dict[int, list[float]] = defaultdict(list)
        for row in prospects:
            for page, seconds in row.pages.get(item.id, {}).items():
                per_page[page].append(seconds)
        last = max([count or 0, *per_page]) if paged else 0
        pages = [PageHeat(p, sum(per_page.get(p, [])), len(per_page.get(p, [])))
                 for p in (range(1, last + 1) if paged else [0])]
        title = content.fork_of(item).title if item.fork_id else item.asset.title
        heat.append(ItemHeat(item, title, sum(p.seconds for p in pages), pages))
    return heat


def unread_notifications(user: User, limit: int = 50) -> list[Notification]:
    return list(db.session.scalars(
        select(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .order_by(Notification.id.desc()).limit(limit)))


def unread_count(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def viewer_visits(email: str) -> list[ShareVisit]:
    return list(db.session.scalars(select(ShareVisit).where(ShareVisit.viewer_email == email)
                                   .order_by(ShareVisit.started_at)))
