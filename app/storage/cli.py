"""`flask storage gc`: delete stored blobs that no database row references."""

from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from app.core.timeutil import utcnow
from app.storage.flask import get_storage, referenced_keys
from app.storage.gc import collect_garbage

storage_cli = AppGroup("storage", help="Manage stored files.")


@storage_cli.command("gc")
@click.option("--grace-minutes", default=60, show_default=True, type=click.IntRange(min=0),
              help="Keep unreferenced blobs younger than this (uploads may be in flight).")
@click.option("--dry-run", is_flag=True, help="Report what would be deleted, delete nothing.")
def gc(grace_minutes: int, dry_run: bool) -> None:
    """Delete blobs left behind by failed uploads."""
    minimum = current_app.config["STORAGE_GC_MIN_GRACE_MINUTES"]
    if grace_minutes < minimum:
        raise click.BadParameter(
            f"must be at least {minimum} (STORAGE_GC_MIN_GRACE_MINUTES): younger blobs may "
            "belong to uploads that have not committed yet.", param_hint="--grace-minutes")
    storage = get_storage()
    report = collect_garbage(storage, referenced_keys, utcnow(),
                             timedelta(minutes=grace_minutes), dry_run)
    if not dry_run:
        partial = storage.cleanup_temp(grace_minutes * 60)
        click.echo(f"removed {partial} partial upload file(s)")
    verb = "would delete" if dry_run else "deleted"
    click.echo(f"scanned {report.scanned}, kept {report.kept}, {verb} {report.deleted}, "
               f"left {report.too_young} younger than {grace_minutes} min, "
               f"kept {report.rescued} that came into use meanwhile")
