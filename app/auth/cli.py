"""`flask users ...`: create accounts and issue API tokens from the command line."""

import click
from flask.cli import AppGroup

from app.auth import services
from app.core.errors import ServiceError
from app.core.permissions import ROLES

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
def create_token(email: str, label: str) -> None:
    """Print a new API token for EMAIL. It is stored hashed and shown only this once."""
    user = services.find_user_by_email(email)
    if user is None or not user.active:
        raise click.ClickException(f"No active user with email {email}.")
    click.echo(services.issue_token(user, label))
