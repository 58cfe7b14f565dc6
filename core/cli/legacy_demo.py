"""hall legacy-demo: write one demo legacy BSS database (either style) to a file, without a hall.

For trying a mapping, a connector or a benchmark against a legacy system of
any size. ``hall demo`` uses the same generator (core.demo.legacy_db) for its
tenants. The file is written next to its final place and moved there only
when complete, so an interrupted run never leaves half a database behind, and
an existing file is replaced only with ``--force``.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import click

from core.cli.base import cli
from core.cli.demo import check_demo_extras
from core.demo.era import Month, month_option


def table_counts(path: Path) -> list[tuple[str, int]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return [(t, conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]) for t in tables]
    finally:
        conn.close()


@cli.command("legacy-demo", help="Write a demo legacy BSS database (jiangnan or haibin schema) to a SQLite file.")
@click.option(
    "--style", type=click.Choice(["jiangnan", "haibin"]), required=True, help="Which legacy schema to imitate."
)
@click.option(
    "--subscribers", type=click.IntRange(1, 5_000_000), default=300, show_default=True, help="Customers to generate."
)
@click.option(
    "--months", type=click.IntRange(0, 36), default=0, show_default=True, help="Months of bills and call records."
)
@click.option(
    "--end-month",
    metavar="YYYY-MM",
    callback=month_option,
    help="The last billed month; every date moves with it.  [default: last month]",
)
@click.option(
    "--seed", type=int, default=1, show_default=True, help="The same seed and end month always give the same data."
)
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The SQLite file to write."
)
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
def legacy_demo(
    style: str, subscribers: int, months: int, end_month: Month, seed: int, output: Path, force: bool
) -> None:
    from rich.console import Console

    check_demo_extras("faker")
    from core.demo.legacy_db import generate_legacy_db

    if output.exists() and not force:
        raise click.ClickException(f"{output} already exists; use --force to replace it")
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.name}.{os.getpid()}.partial")
    console = Console(stderr=True)
    try:
        with console.status(f"generating {style}: {subscribers} subscribers, {months} month(s) of billing …"):
            generate_legacy_db(
                partial, seed=seed, subscribers=subscribers, style=style, months=months, end_month=end_month
            )
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)
    counts = table_counts(output)
    click.echo(
        f"wrote {output} ({style}, seed {seed}, up to {end_month[0]}-{end_month[1]:02d}): "
        + ", ".join(f"{table} {rows}" for table, rows in counts)
    )
