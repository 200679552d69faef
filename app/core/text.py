"""What counts as valid user text: no control characters (bar tab and newlines) and no lone
UTF-16 surrogates, which JSON can carry but no database can store."""

import re

_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_INVALID_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


def strip_invalid(value: str) -> str:
    """What can be stored of untrusted text that is logged, not validated (e.g. search queries):
    PostgreSQL refuses NUL, and no database stores lone surrogates."""
    return _INVALID_SINGLE_LINE.sub(" ", value)


def is_clean_text(value: str, *, multiline: bool = False) -> bool:
    pattern = _INVALID if multiline else _INVALID_SINGLE_LINE
    return pattern.search(value) is None
