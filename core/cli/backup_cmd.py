"""hall backup / hall restore: the hall's database to one file and back (core/db/backup.py; docs/deploying.md)."""

from __future__ import annotations

from pathlib import Path

import click

from core.cli.base import cli, load_hall, run, with_db


@cli.command(
    help="Back up the hall's database to one file (pg_dump on PostgreSQL, SQLite's online backup). Safe while the hall runs."
)
@click.option(
    "--output", "-o", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The backup file to write."
)
def backup(output: Path) -> None:
    from core.db.backup import BackupError, backup as do_backup

    hall = load_hall(connect_tenants=False)
    try:
        click.echo(run(with_db(hall, lambda: do_backup(hall, output))))
    except BackupError as exc:
        click.secho(f"backup failed: {exc}", fg="red", err=True)
        raise SystemExit(1) from None


@cli.command(
    help="Replace the hall's database with a backup made by `hall backup`. Stop `hall serve` and `hall worker` first."
)
@click.option(
    "--input",
    "-i",
    "source",
    required=True,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="The backup file.",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore(source: Path, yes: bool) -> None:
    from core.db.backup import BackupError, restore as do_restore

    hall = load_hall(connect_tenants=False)
    if not yes:
        click.confirm(f"Replace everything in the hall's database with {source}?", abort=True)
    try:
        click.echo(run(with_db(hall, lambda: do_restore(hall, source))))
    except BackupError as exc:
        click.secho(f"restore failed: {exc}", fg="red", err=True)
        raise SystemExit(1) from None
    click.echo(
        "Now run `hall migrate` (a backup from an older release gets the newer migrations), then start the hall."
    )
