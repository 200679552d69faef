"""The secrets in share URLs: link tokens, visit keys, and the short-lived URLs of content.

Link tokens carry 192 random bits. Visit keys are derived, not stored: an HMAC of the visit's id
with the app's secret, so a beacon can name its visit and nobody can name another one. Content
URLs are signed with a timestamp and die after a few minutes, so a copied content URL stops
working long before the link does, and no asset id ever appears in them.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

TOKEN_BYTES = 24
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{32}")
VISIT_KEY_PATTERN = re.compile(r"([1-9][0-9]{0,9})\.([0-9a-f]{40})")


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def well_formed(token: str) -> bool:
    return TOKEN_PATTERN.fullmatch(token) is not None


def same_token(stored: str, given: str) -> bool:
    return hmac.compare_digest(stored.encode("ascii"), given.encode("ascii"))


def _secret(purpose: str) -> bytes:
    key = current_app.config["SECRET_KEY"]
    key = key if isinstance(key, bytes) else key.encode("utf-8")
    return hmac.new(key, purpose.encode("ascii"), hashlib.sha256).digest()


def visit_key(visit_id: int) -> str:
    mac = hmac.new(_secret("share-visit"), str(visit_id).encode("ascii"), hashlib.sha1)
    return f"{visit_id}.{mac.hexdigest()}"


def visit_id_of(key: object) -> int | None:
    """The visit a key names, or None for anything that is not a key this app handed out."""
    if not isinstance(key, str) or len(key) > 80:
        return None
    match = VISIT_KEY_PATTERN.fullmatch(key)
    if match is None:
        return None
    visit_id = int(match.group(1))
    if visit_id >= 2**31:  # beyond any id the database hands out
        return None
    return visit_id if hmac.compare_digest(visit_key(visit_id), key) else None


def ip_hash(address: str | None, user_agent: str = "") -> str | None:
    """A keyed hash of the viewer's address (and browser, when given): enough to tell a reload
    from a new viewer and to count repeats, never the address itself."""
    if not address:
        return None
    value = f"{address}|{user_agent}".encode("utf-8", "replace")
    return hmac.new(_secret("share-ip"), value, hashlib.sha256).hexdigest()


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="share-content")


def content_ticket(link_id: int, item_id: int, visit_id: int, purpose: str) -> str:
    return _serializer().dumps([link_id, item_id, visit_id, purpose])


def read_ticket(ticket: str, purpose: str) -> tuple[int, int, int] | None:
    """(link id, item id, visit id) of a ticket that is genuine, fresh and for `purpose`."""
    if len(ticket) > 300:
        return None
    max_age = current_app.config["SHARE_CONTENT_URL_SECONDS"]
    try:
        link_id, item_id, visit_id, given = _serializer().loads(ticket, max_age=max_age)
    except (BadSignature, ValueError, TypeError):
        return None
    if given != purpose or not all(isinstance(v, int) for v in (link_id, item_id, visit_id)):
        return None
    return link_id, item_id, visit_id
