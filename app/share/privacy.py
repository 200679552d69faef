"""A viewer's data on request: everything kept under their e-mail, exported or deleted. Admins
answer these requests; what was counted in aggregate (usage on deals) names no viewer and stays."""

from __future__ import annotations

from app.auth.models import User
from app.core.errors import PermissionDenied, ValidationFailed
from app.core.permissions import is_admin
from app.extensions import db
from app.share.models import EmailCode
from app.share.queries import viewer_visits
from app.share.viewer import email_key


def _email(actor: User, email: object) -> str:
    if not is_admin(actor):
        raise PermissionDenied("Only admins handle viewers' data requests.")
    if not isinstance(email, str) or "@" not in email or len(email) > 254:
        raise ValidationFailed("Give the viewer's e-mail address.", {"email": "invalid"})
    return email.strip().lower()


def export_viewer(actor: User, email: object) -> dict:
    email = _email(actor, email)
    visits = viewer_visits(email)
    return {"email": email, "visits": [{
        "link_id": v.link_id, "link_title": v.link.title, "started_at": v.started_at.isoformat(),
        "last_seen_at": v.last_seen_at.isoformat(), "email_verified": v.email_verified,
        "device": v.device, "location": v.location, "seconds": round(v.seconds, 1),
        "downloads": v.downloads,
        "pages": [{"item_id": t.item_id, "page": t.page, "seconds": round(t.seconds, 1)}
                  for t in v.times],
    } for v in visits], "notifications": [
        {"created_at": n.created_at.isoformat(), "text": n.text} for n in _notices_naming(email)]}


def _notices_naming(email: str) -> list:
    from app.share.models import Notification

    return list(db.session.scalars(db.select(Notification).where(
        Notification.text.contains(email, autoescape=True))))


def delete_viewer(actor: User, email: object) -> int:
    """Delete every visit (with its page times) and code kept for `email`; returns the visits."""
    email = _email(actor, email)
    visits = viewer_visits(email)
    for visit in visits:
        db.session.delete(visit)
    db.session.execute(db.delete(EmailCode).where(EmailCode.email == email_key(email)))
    # The rep's "x opened y" notices name the viewer too.
    for notice in _notices_naming(email):
        notice.text = notice.text.replace(email, "A deleted viewer")
    db.session.commit()
    return len(visits)


def mark_read(actor: User) -> None:
    from app.core.timeutil import utcnow
    from app.share.models import Notification

    db.session.execute(db.update(Notification).where(
        Notification.user_id == actor.id, Notification.read_at.is_(None)).values(read_at=utcnow()))
    db.session.commit()


