"""The prospect's side of a link: finding it by token, its gate (e-mail, code, password), and
starting a visit. Nothing here looks at who is signed in beyond marking staff visits: a Lockstep
session never widens what a link shows."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app

from app.auth.passwords import verify_password
from app.core.errors import TooManyRequests, ValidationFailed
from app.core.timeutil import utcnow
from app.extensions import db
from app.share import devices, tokens
from app.share.models import EmailCode, Notification, ShareLink, ShareVisit
from app.share.settings import ANONYMOUS_EVERYWHERE, HONOUR_DNT

EMAIL = r"[^@\s]{1,64}@[^@\s]{1,253}"
MAX_CODE_ATTEMPTS = 5
MAX_CODES_PER_HOUR = 5
REVISIT_WINDOW = timedelta(minutes=30)


@dataclass(frozen=True)
class Viewer:
    """What the request tells about the person opening a link."""

    user_agent: str = ""
    address: str | None = None
    accept_language: str = ""
    do_not_track: bool = False
    staff_user_id: int | None = None


def find_link(token: str) -> ShareLink | None:
    if not isinstance(token, str) or not token.isascii() or not tokens.well_formed(token):
        return None
    link = db.session.scalar(db.select(ShareLink).where(
        ShareLink.token_digest == tokens.digest(token)))
    if link is None or not tokens.same_token(link.token, token):
        return None
    return link


def gate_stamp(link: ShareLink) -> str:
    """Changes whenever the gate does, so a pass given under an older password or rule lapses."""
    parts = f"{link.password_hash}|{link.require_email}|{link.verify_email}|{link.allowed_domains}"
    return hashlib.sha256(parts.encode("utf-8")).hexdigest()[:16]


def check_email(link: ShareLink, email: object) -> str:
    if not isinstance(email, str) or not re.fullmatch(EMAIL, email.strip()):
        raise ValidationFailed("Enter a valid e-mail address.", {"email": "invalid"})
    email = email.strip().lower()
    domain = email.rsplit("@", 1)[1]
    if link.allowed_domains and not any(domain == d or domain.endswith("." + d)
                                        for d in link.allowed_domains):
        raise ValidationFailed("This link is not open to that e-mail address.",
                               {"email": "domain"})
    return email


def check_password(link: ShareLink, password: object, viewer: Viewer) -> None:
    """Wrong passwords are counted per link and network (SHARE_PASSWORD_LIMIT), so a link's
    password cannot be guessed online; once the allowance is spent even a right one waits."""
    if link.password_hash is None:
        return
    network = tokens.ip_hash(viewer.address) or "-"
    if not _within("SHARE_PASSWORD_LIMIT", "share-password", str(link.id), network, hit=False):
        raise TooManyRequests("Too many wrong passwords from your network. Wait a little and "
                              "try again.")
    if not isinstance(password, str) or len(password) > 200 or \
            not verify_password(link.password_hash, password):
        _within("SHARE_PASSWORD_LIMIT", "share-password", str(link.id), network)
        raise ValidationFailed("That password is not right.", {"password": "wrong"})


def _within(setting: str, *keys: str, hit: bool = True) -> bool:
    """Whether this request fits the configured limits for `keys`; `hit` also counts it."""
    from limits import parse_many

    from app.auth.ratelimit import limiter_of

    limiter = limiter_of(current_app).limiter
    limits = parse_many(current_app.config[setting])
    if not hit:
        return all(limiter.test(limit, *keys) for limit in limits)
    return all([limiter.hit(limit, *keys) for limit in limits])


def email_key(email: str) -> str:
    """What the code table keeps instead of the address: it only has to match it again, and an
    anonymous link must not keep the address at all."""
    return hmac.new(tokens._secret("share-code-email"), email.encode("utf-8"),
                    hashlib.sha256).hexdigest()


def send_code(link: ShareLink, email: str, viewer: Viewer) -> None:
    """E-mail a fresh six-digit code for `email`; older codes for it stop working. Codes are
    limited per address and link, and per network (SHARE_CODE_SEND_LIMIT), so the viewer cannot
    be used to mail strangers."""
    from app.share import mail

    key = email_key(email)
    since = utcnow() - timedelta(hours=1)
    recent = db.session.scalar(db.select(db.func.count()).select_from(EmailCode).where(
        EmailCode.link_id == link.id, EmailCode.email == key, EmailCode.created_at >= since))
    if recent >= MAX_CODES_PER_HOUR:
        raise TooManyRequests("Too many codes asked for this address. Try again later.")
    if not _within("SHARE_CODE_SEND_LIMIT", "share-code", tokens.ip_hash(viewer.address) or "-"):
        raise TooManyRequests("Too many codes asked from your network. Try again later.")
    _purge_old_codes()
    code = f"{secrets.randbelow(1_000_000):06d}"
    try:
        mail.send_code(current_app.config, email, code, link.title)
    except mail.MailError as exc:
        raise ValidationFailed(str(exc), {"email": "not_sent"}) from exc
    db.session.execute(db.update(EmailCode).where(
        EmailCode.link_id == link.id, EmailCode.email == key, EmailCode.used_at.is_(None))
        .values(used_at=utcnow()))
    minutes = current_app.config["SHARE_CODE_MINUTES"]
    db.session.add(EmailCode(link_id=link.id, email=key, code_hash=_code_hash(code),
                             expires_at=utcnow() + timedelta(minutes=minutes)))
    db.session.commit()


def verify_code(link: ShareLink, email: str, code: object) -> None:
    row = db.session.scalar(db.select(EmailCode).where(
        EmailCode.link_id == link.id, EmailCode.email == email_key(email),
        EmailCode.used_at.is_(None))
        .order_by(EmailCode.id.desc()).limit(1))
    if row is None or row.expires_at <= utcnow() or row.attempts >= MAX_CODE_ATTEMPTS:
        raise ValidationFailed("That code has expired. Ask for a new one.", {"code": "expired"})
    row.attempts += 1
    given = code.strip() if isinstance(code, str) else ""
    if not (re.fullmatch(r"[0-9]{6}", given)
            and hmac.compare_digest(row.code_hash, _code_hash(given))):
        db.session.commit()
        raise ValidationFailed("That code is not right.", {"code": "wrong"})
    row.used_at = utcnow()
    db.session.commit()


def _purge_old_codes() -> None:
    """Codes are only needed for the hour their limit counts over."""
    db.session.execute(db.delete(EmailCode).where(
        EmailCode.created_at < utcnow() - timedelta(hours=2)))


def _code_hash(code: str) -> str:
    return hmac.new(tokens._secret("share-code"), code.encode("ascii"),
                    hashlib.sha256).hexdigest()


def is_anonymous(link: ShareLink, viewer: Viewer) -> bool:
    from app.settings.services import is_on

    return link.anonymous or is_on(ANONYMOUS_EVERYWHERE) or \
        (viewer.do_not_track and is_on(HONOUR_DNT))


def open_visit(link: ShareLink, viewer: Viewer, *, email: str | None = None,
               verified: bool = False, known_visit_id: int | None = None) -> ShareVisit:
    """The visit this viewer is on: the one their browser already holds, the same person's
    from a moment ago (reloads are not new visits), or a new one within the address's limit."""
    now = utcnow()
    anonymous = is_anonymous(link, viewer)
    email = None if anonymous else email
    ip_hash = None if anonymous else tokens.ip_hash(viewer.address, viewer.user_agent)
    device = devices.device_class(viewer.user_agent)
    visit = _recent_visit(link, known_visit_id, ip_hash, email, device, viewer, now)
    if visit is not None:
        visit.last_seen_at = now
        db.session.commit()
        return visit
    _count_new_visit(link, viewer)
    visit = ShareVisit(link_id=link.id, started_at=now, last_seen_at=now, viewer_email=email,
                       email_verified=verified and email is not None, device=device,
                       ip_hash=ip_hash, staff_user_id=viewer.staff_user_id,
                       bot=devices.is_link_preview_bot(viewer.user_agent), anonymous=anonymous)
    db.session.add(visit)
    db.session.flush()
    if visit.prospect and _first_of_viewer(link, visit):
        who = email or "Someone"
        db.session.add(Notification(user_id=link.owner_id, link_id=link.id,
                                    text=f"{who} opened '{link.title}'"[:300]))
    db.session.commit()
    return visit


def _recent_visit(link: ShareLink, visit_id: int | None, ip_hash: str | None,
                  email: str | None, device: str, viewer: Viewer, now) -> ShareVisit | None:
    since = now - REVISIT_WINDOW
    if visit_id is not None:
        visit = db.session.get(ShareVisit, visit_id)
        if visit is not None and visit.link_id == link.id and visit.last_seen_at >= since \
                and visit.staff_user_id == viewer.staff_user_id \
                and (email is None or visit.viewer_email in (None, email)):
            if email and visit.viewer_email is None:
                visit.viewer_email = email
            return visit
    if ip_hash is None:
        return None
    return db.session.scalar(db.select(ShareVisit).where(
        ShareVisit.link_id == link.id, ShareVisit.ip_hash == ip_hash,
        ShareVisit.device == device, ShareVisit.last_seen_at >= since,
        ShareVisit.bot.is_(devices.is_link_preview_bot(viewer.user_agent)),
        ShareVisit.staff_user_id.is_(None) if viewer.staff_user_id is None
        else ShareVisit.staff_user_id == viewer.staff_user_id,
        ShareVisit.viewer_email.is_(None) if email is None else ShareVisit.viewer_email == email,
    ).order_by(ShareVisit.id.desc()).limit(1))


def _count_new_visit(link: ShareLink, viewer: Viewer) -> None:
    from limits import parse_many

    from app.auth.ratelimit import limiter_of

    limiter = limiter_of(current_app).limiter
    who = tokens.ip_hash(viewer.address) or "-"
    for limit in parse_many(current_app.config["SHARE_VISIT_LIMIT"]):
        if not limiter.hit(limit, "share-visit", str(link.id), who):
            raise TooManyRequests("Too many visits from your network in a short time. "
                                  "Wait a little and try again.")


def _first_of_viewer(link: ShareLink, visit: ShareVisit) -> bool:
    earlier = db.select(ShareVisit.id).where(
        ShareVisit.link_id == link.id, ShareVisit.id != visit.id,
        ShareVisit.staff_user_id.is_(None), ShareVisit.bot.is_(False))
    if visit.viewer_email:
        earlier = earlier.where(ShareVisit.viewer_email == visit.viewer_email)
    return db.session.scalar(earlier.limit(1)) is None
