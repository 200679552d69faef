"""`flask forks scan`: find the personalization fields of versions stored before forks existed
(new versions get theirs when they are stored)."""

import click
from flask.cli import AppGroup

from app.forks import sources

forks_cli = AppGroup("forks", help="Forks and personalization fields.")


@forks_cli.command("scan")
def scan() -> None:
    """Scan every version that has no fields recorded yet."""
    click.echo(f"scanned {sources.scan_missing()} version(s)")
