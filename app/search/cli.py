"""`flask search sync|reindex`: catch the index up with the database, or rebuild it."""

import time

import click
from flask.cli import AppGroup

from app.search import lifecycle
from app.search import sync as outbox_sync

search_cli = AppGroup("search", help="Manage the search index.")


@search_cli.command("sync")
def sync() -> None:
    """Apply changes waiting in the outbox (after a crash, or if a worker's sync failed)."""
    click.echo(f"applied {outbox_sync.sync_outbox()} pending change(s)")


@search_cli.command("reindex")
@click.option("--procs", default=2, show_default=True, help="Indexing processes.")
def reindex(procs: int) -> None:
    """Rebuild the whole index in a new directory and swap it in atomically."""
    started = time.perf_counter()
    count = lifecycle.reindex(procs=procs)
    click.echo(f"indexed {count} assets in {time.perf_counter() - started:.1f} s")
