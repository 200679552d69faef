"""`flask users ...`: create accounts and issue API tokens from the command line."""

from datetime import timedelta

import click
from flask.cli import AppGroup

from app.auth import services, tokens
from app.core.errors import ServiceError
from app.core.permissions import ROLES
from app.core.timeutil import utcnow

users_cli = AppGroup("users", help="Manage Lockstep users.")


@users_cli.command("create")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option("--role", type=click.Choice(ROLES), prompt=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_user(email: str, name: str, role: str, password: str) -> None:
    """Create a user who can sign in straight away."""
    try:
        user = services.create_user(email, name, role, password)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")


@users_cli.command("token")
@click.argument("email")
@click.option("--label", default="", help="What the token is for, e.g. 'CRM sync'.")
@click.option("--expires-days", type=click.IntRange(1, tokens.MAX_LIFETIME_DAYS), default=None,
              help="Stop working after this many days (default: never).")
def create_token(email: str, label: str, expires_days: int | None) -> None:
    """Print a new API token for EMAIL. It is stored hashed and shown only this once."""
    user = services.find_user_by_email(email)
    if user is None or not user.active:
        raise click.ClickException(f"No active user with email {email}.")
    expires_at = utcnow() + timedelta(days=expires_days) if expires_days else None
    try:
        click.echo(tokens.issue_token(user, label, expires_at))
    except ServiceError as exc:
        raise click.ClickException(exc.message) from exc
