"""Account domains from a website or domain column: 'https://www.Acme.com/about' is acme.com."""

from __future__ import annotations

import re

from app.deals.csv_import.text import shown

MAX_DOMAINS = 20
# The form app.deals.fields accepts: lower-case ASCII labels and a letters-only top level.
_DOMAIN = re.compile(r"(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")


def parse_domains(value: str) -> tuple[tuple[str, ...], list[str]]:
    """(domains, warnings): a value that is no domain is left out with a warning, not a
    rejected deal, since the domain only helps to match visitors to the account."""
    domains: list[str] = []
    warnings: list[str] = []
    for part in re.split(r"[\s,;]+", value.strip()):
        if not part:
            continue
        domain = _host(part)
        if domain is None:
            warnings.append(f"{shown(part)} is not a domain name; left out")
        elif domain not in domains:
            domains.append(domain)
    if len(domains) > MAX_DOMAINS:
        warnings.append(f"more than {MAX_DOMAINS} domains; the first {MAX_DOMAINS} are kept")
        domains = domains[:MAX_DOMAINS]
    return tuple(domains), warnings


def _host(part: str) -> str | None:
    host = _SCHEME.sub("", part.lower()).lstrip("@")
    host = re.split(r"[/?#]", host, maxsplit=1)[0].rsplit("@", 1)[-1]
    host = host.split(":", 1)[0].rstrip(".")
    host = host.removeprefix("www.")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    return host if _DOMAIN.fullmatch(host) else None
