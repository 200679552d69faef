"""Creating, changing, revoking and re-activating share links. The only writes to links."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from werkzeug.security import generate_password_hash

from app.auth.models import User
from app.core.errors import NotFound, ValidationFailed
from app.core.permissions import is_admin
from app.core.timeutil import utcnow
from app.extensions import db
from app.library.models import Asset
from app.library.permissions import can_view_asset
from app.share import tokens
from app.share.models import ShareItem, ShareLink

MAX_ITEMS = 50
MAX_MESSAGE = 5_000
MAX_DOMAINS = 50
DOMAIN = re.compile(r"(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
OPTIONS = ("title", "message", "expires_at", "require_email", "verify_email", "allow_download",
           "password", "allowed_domains", "anonymous", "deal_id")


@dataclass(frozen=True)
class Content:
    """What an item shows: an asset, or a fork of it."""

    asset_id: int
    fork_id: int | None = None


def can_manage_link(user: User, link: ShareLink) -> bool:
    return link.owner_id == user.id or is_admin(user)


def ensure_can_manage(user: User, link: ShareLink | None) -> ShareLink:
    # Someone else's link answers 404 like someone else's fork: its existence is private.
    if link is None or not can_manage_link(user, link):
        raise NotFound("No such share link.")
    return link


def get_link(actor: User, link_id: int) -> ShareLink:
    return ensure_can_manage(actor, db.session.get(ShareLink, link_id))


def create_link(actor: User, *, asset_ids: list[int] | None = None,
                fork_ids: list[int] | None = None, room: bool | None = None,
                **options: Any) -> ShareLink:
    """A link to the assets (then the forks) given, in that order. Several items, or `room`,
    make a deal room."""
    contents = [Content(a) for a in asset_ids or []]
    contents += [_fork_content(actor, f) for f in fork_ids or []]
    _check_contents(actor, contents)
    link = ShareLink(token=tokens.new_token(), owner_id=actor.id,
                     is_room=bool(room) or len(contents) > 1, title="")
    link.token_digest = tokens.digest(link.token)
    _apply_options(actor, link, {"title": "", **options}, creating=True)
    if not link.title:
        link.title = _default_title(contents)
    link.items = [ShareItem(position=i, asset_id=c.asset_id, fork_id=c.fork_id)
                  for i, c in enumerate(contents)]
    db.session.add(link)
    db.session.commit()
    return link


def update_link(actor: User, link_id: int, changes: dict[str, Any]) -> ShareLink:
    link = get_link(actor, link_id)
    unknown = set(changes) - set(OPTIONS)
    if unknown:
        raise ValidationFailed(f"Unknown option: {', '.join(sorted(unknown))}.",
                               {k: "unknown" for k in unknown})
    _apply_options(actor, link, changes, creating=False)
    db.session.commit()
    return link


def set_items(actor: User, link_id: int, contents: list[Content]) -> ShareLink:
    """Replace the link's items by `contents`, in that order (add, remove and reorder)."""
    link = get_link(actor, link_id)
    _check_contents(actor, contents, keeping=link)
    kept = {(i.asset_id, i.fork_id): i for i in link.items}
    items = []
    for position, content in enumerate(contents):
        item = kept.pop((content.asset_id, content.fork_id), None) or ShareItem(
            asset_id=content.asset_id, fork_id=content.fork_id)
        item.position = position
        items.append(item)
    link.items = items
    link.is_room = link.is_room or len(items) > 1
    db.session.commit()
    return link


def revoke_link(actor: User, link_id: int) -> ShareLink:
    link = get_link(actor, link_id)
    if link.revoked_at is None:
        link.revoked_at, link.revoked_by_id = utcnow(), actor.id
        db.session.commit()
    return link


def reactivate_link(actor: User, link_id: int) -> ShareLink:
    """Undo a revocation. An expired link needs a new expiry instead (or none)."""
    link = get_link(actor, link_id)
    if link.expires_at is not None and link.expires_at <= utcnow():
        raise ValidationFailed("The link has expired: give it a later expiry date first.",
                               {"expires_at": "past"})
    link.revoked_at = link.revoked_by_id = None
    db.session.commit()
    return link


def link_state(link: ShareLink, now: datetime | None = None) -> str:
    """"active", "revoked", "expired", or "gone" (nothing in it may be shown any more)."""
    if link.revoked_at is not None:
        return "revoked"
    if link.expires_at is not None and link.expires_at <= (now or utcnow()):
        return "expired"
    if not shown_items(link):
        return "gone"
    return "active"


def shown_items(link: ShareLink) -> list[ShareItem]:
    """The items a prospect may still see: their asset is published and has a file. A fork
    stays shown while its source does, even when its owner has left."""
    return [item for item in link.items
            if item.asset.status == "published" and item.asset.current_version_id is not None]


def _fork_content(actor: User, fork_id: int) -> Content:
    from app.forks import services as fork_services

    found = fork_services.usage_content(actor, fork_id)
    if found is None:
        raise ValidationFailed("No such fork.", {"fork_ids": "unknown"})
    return Content(found.asset_id, fork_id)


def _check_contents(actor: User, contents: list[Content], keeping: ShareLink | None = None
                    ) -> None:
    if not contents:
        raise ValidationFailed("Choose at least one asset or fork to share.",
                               {"asset_ids": "empty"})
    if len(contents) > MAX_ITEMS:
        raise ValidationFailed(f"A link holds at most {MAX_ITEMS} items.", {"asset_ids": "many"})
    if len(set(contents)) != len(contents):
        raise ValidationFailed("Each asset or fork can be in a link once.",
                               {"asset_ids": "duplicate"})
    already = {(i.asset_id, i.fork_id) for i in keeping.items} if keeping else set()
    for content in contents:
        asset = db.session.get(Asset, content.asset_id)
        if asset is None or not can_view_asset(actor, asset):
            raise ValidationFailed(f"No such asset: {content.asset_id}.",
                                   {"asset_ids": "unknown"})
        if (content.asset_id, content.fork_id) in already:
            continue  # an item already in the link may stay, whatever became of its asset
        if asset.status != "published" or asset.current_version_id is None:
            raise ValidationFailed(f"Only published assets can be shared: '{asset.title}' is "
                                   f"{asset.status}.", {"asset_ids": "not_published"})


def _apply_options(actor: User, link: ShareLink, options: dict[str, Any], creating: bool
                   ) -> None:
    for name in set(options) - set(OPTIONS):
        raise ValidationFailed(f"Unknown option: {name}.", {name: "unknown"})
    if "title" in options:
        link.title = _text(options["title"] or "", "title", 200, required=not creating)
    if "message" in options:
        link.message = _text(options["message"] or "", "message", MAX_MESSAGE)
    if "expires_at" in options:
        link.expires_at = _expiry(options["expires_at"])
    _set_flags(link, options)
    if "password" in options:
        link.password_hash = _password(options["password"])
    if "allowed_domains" in options:
        link.allowed_domains = _domains(options["allowed_domains"])
    if "deal_id" in options:
        link.deal_id = _deal(actor, options["deal_id"])
    _check_gate(link)


def _set_flags(link: ShareLink, options: dict[str, Any]) -> None:
    for flag in ("require_email", "verify_email", "allow_download", "anonymous"):
        if flag in options and options[flag] is not None:
            if not isinstance(options[flag], bool):
                raise ValidationFailed(f"{flag} is true or false.", {flag: "not_boolean"})
            setattr(link, flag, options[flag])


def _check_gate(link: ShareLink) -> None:
    from flask import current_app

    from app.share import mail

    if link.allowed_domains or link.verify_email:
        link.require_email = True
    if link.verify_email and not mail.mail_enabled(current_app.config):
        raise ValidationFailed("E-mail verification needs an SMTP server (MAIL_SERVER), and "
                               "none is set up.", {"verify_email": "mail_off"})


def _text(value: object, name: str, limit: int, required: bool = False) -> str:
    if not isinstance(value, str):
        raise ValidationFailed(f"{name} must be text.", {name: "not_text"})
    value = value.strip()
    if "\x00" in value:
        raise ValidationFailed(f"{name} holds a NUL character.", {name: "invalid"})
    if required and not value:
        raise ValidationFailed(f"Give the link a {name}.", {name: "required"})
    if len(value) > limit:
        raise ValidationFailed(f"{name} is at most {limit} characters.", {name: "too_long"})
    return value


def _expiry(value: object) -> datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ValidationFailed("expires_at is a date and time with a time zone.",
                               {"expires_at": "invalid"})
    if value <= utcnow():
        raise ValidationFailed("The expiry must be in the future.", {"expires_at": "past"})
    return value


def _password(value: object) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not 4 <= len(value) <= 200 or "\x00" in value:
        raise ValidationFailed("A link password has 4 to 200 characters.",
                               {"password": "invalid"})
    return generate_password_hash(value)


def _domains(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = re.split(r"[\s,;]+", value)
    if not isinstance(value, list) or not all(isinstance(d, str) for d in value):
        raise ValidationFailed("allowed_domains is a list of domains.",
                               {"allowed_domains": "invalid"})
    domains = sorted({d.strip().lower().lstrip("@") for d in value if d.strip()})
    if len(domains) > MAX_DOMAINS:
        raise ValidationFailed(f"At most {MAX_DOMAINS} domains.", {"allowed_domains": "many"})
    bad = [d for d in domains if not DOMAIN.fullmatch(d)]
    if bad:
        raise ValidationFailed(f"Not a domain: {bad[0][:80]}.", {"allowed_domains": "invalid"})
    return domains


def _deal(actor: User, deal_id: object) -> int | None:
    if deal_id is None or deal_id == "":
        return None
    from app.deals.models import Deal
    from app.deals.permissions import can_edit_deal, ensure_can_view_deal

    if not isinstance(deal_id, int) or isinstance(deal_id, bool):
        raise ValidationFailed("deal_id is a number.", {"deal_id": "invalid"})
    deal = db.session.get(Deal, deal_id)
    try:
        ensure_can_view_deal(actor, deal)
    except NotFound:
        raise ValidationFailed("No such deal.", {"deal_id": "unknown"}) from None
    if not can_edit_deal(actor, deal):
        raise ValidationFailed("Only the deal's owner can tie links to it.",
                               {"deal_id": "not_owner"})
    return deal.id


def _default_title(contents: list[Content]) -> str:
    first = db.session.get(Asset, contents[0].asset_id)
    if len(contents) == 1:
        return first.title[:200]
    return f"{first.title[:150]} and {len(contents) - 1} more"
