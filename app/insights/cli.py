"""`flask insights rebuild`: recompute the influence rollup from the raw usage (after restoring a
backup, or once after upgrading a database that had usage before the insights area existed;
every write keeps it current after that). `flask insights check` compares the maintained
figures with a recomputation without changing anything."""

import click
from flask.cli import AppGroup

from app.extensions import db
from app.insights import rollup

insights_cli = AppGroup("insights", help="Content-effectiveness analytics.")


@insights_cli.command("rebuild")
def rebuild() -> None:
    click.echo(f"rebuilt {rollup.rebuild()} influence row(s)")


@insights_cli.command("check")
def check() -> None:
    differences = rollup.differences()
    db.session.rollback()
    if differences:
        for line in differences[:20]:
            click.echo(line)
        raise click.ClickException(f"{len(differences)} difference(s); run `flask insights "
                                   "rebuild`")
    click.echo("the maintained figures match a full recomputation")
