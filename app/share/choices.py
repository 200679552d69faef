"""What a rep can put in a link or tie it to, for the link forms."""

from __future__ import annotations

from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.library.models import Asset

MAX_CHOICES = 300


def shareable_assets(actor: User) -> list[Asset]:
    from app.library.queries import visible_assets

    query = visible_assets(actor).where(Asset.status == "published",
                                        Asset.current_version_id.is_not(None))
    ids = select(query.subquery().c.id)
    return list(db.session.scalars(select(Asset).where(Asset.id.in_(ids))
                                   .order_by(Asset.title).limit(MAX_CHOICES)))


def my_open_deals(actor: User) -> list:
    from app.deals.queries import open_deals_of

    return open_deals_of(actor)
