"""Password hashing with Werkzeug's default (scrypt) and the rules for new passwords."""

from werkzeug.security import check_password_hash, generate_password_hash

from app.core.errors import ValidationFailed
from app.core.text import is_clean_text

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
# Verified against when the account does not exist, so both paths cost one scrypt check.
_DUMMY_HASH = generate_password_hash("lockstep-timing-equaliser")


def hash_password(password: str) -> str:
    validate_password(password)
    return generate_password_hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if len(password) > MAX_PASSWORD_LENGTH or not is_clean_text(password):
        check_password_hash(_DUMMY_HASH, "x")
        return False
    return check_password_hash(password_hash or _DUMMY_HASH, password) and bool(password_hash)


def validate_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(f"Passwords need at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationFailed(f"Passwords can have at most {MAX_PASSWORD_LENGTH} characters.")
    if not is_clean_text(password):
        raise ValidationFailed("Passwords cannot contain control characters.")
