"""A viewer's coarse location from what their own browser says, with no IP database or service.

Two hints, both sent by the viewer's browser and both easy to fake, so the result is a hint for
the rep and never a fact to act on:

- the browser's time zone (the viewer page sends `Intl.DateTimeFormat().resolvedOptions()
  .timeZone`, e.g. "Europe/Berlin"), kept only when it is a real IANA zone that names a place;
- the region of the most preferred language in Accept-Language ("de-DE,de;q=0.9" -> "DE").

Both come from the public request, so anything that is not exactly one of those shapes is
dropped: the result only ever holds an IANA zone name and two capital letters.
"""

from __future__ import annotations

import re
import zoneinfo
from functools import lru_cache

MAX_RESULT = 80
SEPARATOR = " · "
# Longer values are not time zones or language lists a browser sends; they are not parsed.
MAX_TIMEZONE = 64
MAX_ACCEPT_LANGUAGE = 1024
MAX_LANGUAGES = 32
# Zones that name no place: UTC and its aliases, fixed offsets, and this machine's own link.
PLACELESS_AREAS = frozenset({"Etc", "SystemV"})
# A language range and its weight, per RFC 9110 section 12.5.4: "de-DE", "de;q=0.9", "*;q=0.1".
LANGUAGE_RANGE = re.compile(r"([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*|\*)(?:;q=([01](?:\.\d{0,3})?))?",
                            re.ASCII)
# ISO 3166 codes left for private use are no country (AA, QM-QZ, XA-XZ, ZZ).
PRIVATE_REGIONS = re.compile(r"^(?:AA|Q[M-Z]|X[A-Z]|ZZ)$")


def coarse_location(timezone: str | None, accept_language: str | None) -> str:
    """"Europe/Berlin · DE", "Europe/Berlin", "DE", or "" when neither hint is usable."""
    parts = [part for part in (browser_timezone(timezone), language_region(accept_language))
             if part]
    return SEPARATOR.join(parts)[:MAX_RESULT]


def browser_timezone(value: str | None) -> str | None:
    """`value` if it is an IANA time zone naming a place ("Europe/Berlin"), else None."""
    if not isinstance(value, str) or len(value) > MAX_TIMEZONE:
        return None
    name = value.strip()
    area, slash, _place = name.partition("/")
    if not slash or area in PLACELESS_AREAS:
        return None
    return name if name in _known_timezones() else None


def language_region(header: str | None) -> str | None:
    """The region ("DE") of the most preferred language in Accept-Language that names one."""
    if not isinstance(header, str) or len(header) > MAX_ACCEPT_LANGUAGE:
        return None
    best: tuple[float, str] | None = None
    for item in header.split(",")[:MAX_LANGUAGES]:
        match = LANGUAGE_RANGE.fullmatch(item.strip().replace(" ", ""))
        if not match:
            continue
        weight = float(match.group(2)) if match.group(2) else 1.0
        region = _region(match.group(1))
        # Strictly greater: among equal weights the first listed wins, as the header means.
        if region and weight > 0 and (best is None or weight > best[0]):
            best = (weight, region)
    return best[1] if best else None


def _region(tag: str) -> str | None:
    """The region subtag of a BCP 47 tag: "DE" in "de-DE", "TW" in "zh-Hant-TW", none in "es-419"
    (a UN area, not a country) or "de"."""
    for subtag in tag.split("-")[1:]:
        if len(subtag) == 2 and subtag.isalpha():
            region = subtag.upper()
            return None if PRIVATE_REGIONS.match(region) else region
        if len(subtag) in (3, 4) and subtag.isalpha():
            continue  # an extended language ("zh-yue") or a script ("Hant") comes first
        return None
    return None


@lru_cache(maxsize=1)
def _known_timezones() -> frozenset[str]:
    # Read once from the system's tz database (or the tzdata package): about 600 names.
    return frozenset(zoneinfo.available_timezones())
