"""Redirect targets: only paths on this site, never another host."""

from urllib.parse import urlsplit


def safe_next(target: str | None, default: str) -> str:
    if not target or len(target) > 2000:
        return default
    if any(ord(ch) < 32 for ch in target) or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target
