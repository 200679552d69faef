"""`flask demo seed`: a realistic demo library on an empty database."""

import click
from flask import current_app
from flask.cli import AppGroup

from app.demo.seed import DEMO_PASSWORD, DEMO_USERS, database_is_empty, demo_users_exist, seed_demo

demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("seed")
@click.option("--force", is_flag=True,
              help="Load the demo even in production (its accounts share a published password).")
def seed(force: bool) -> None:
    """Create demo users and ~40 assets, only when the database has no users yet."""
    if current_app.config["ENVIRONMENT"] == "production" and not force:
        raise click.ClickException(
            "Refusing to load demo data in production: the demo accounts' password is public. "
            "Pass --force if this really is a throwaway installation.")
    if database_is_empty():
        count = seed_demo(current_app.config["DEMO_SEED"])
        click.echo(f"Demo library created: {count} assets.")
    else:
        click.echo("The database already has users; demo data not loaded.")
    if demo_users_exist():
        click.echo(f"Demo sign-ins (password for all: {DEMO_PASSWORD}):")
        for user in DEMO_USERS:
            click.echo(f"  {user.role:<9} {user.email}")
