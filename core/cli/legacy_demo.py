"""hall legacy-demo: write one demo legacy BSS database (any style) to a file, without a hall.

For trying a mapping, a connector or a benchmark against a legacy system of
any size. ``hall demo`` uses the same generators (core.demo.legacy_db,
core.demo.qianshan) for its tenants. The file is written next to its final
place and moved there only when complete, so an interrupted run never leaves
half a database behind, and an existing file is replaced only with ``--force``.
The qianshan BSS can also be written into a database server (``--url``), and
``--day-of-changes`` applies a working day of upstream changes to one
(core.demo.qianshan_day).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import click

from core.cli.base import cli
from core.cli.demo import check_demo_extras
from core.demo.era import Month, month_option


STYLES = ("jiangnan", "haibin", "qianshan")
QIANSHAN_MONTHS = 4  # qianshan's default --months: its tenant maps bills, so the demo has some


def table_counts(path: Path) -> list[tuple[str, int]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return [(t, conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]) for t in tables]
    finally:
        conn.close()


def url_table_counts(url: str) -> list[tuple[str, int]]:
    import sqlalchemy as sa

    from core.demo.qianshan import legacy_engine

    engine = legacy_engine(url)
    try:
        with engine.connect() as conn:
            names = sorted(sa.inspect(conn).get_table_names())
            return [(t, conn.scalar(sa.select(sa.func.count()).select_from(sa.table(t)))) for t in names]
    finally:
        engine.dispose()


def _target(style: str, output: Path | None, url: str | None, day: bool) -> None:
    if (output is None) == (url is None):
        raise click.UsageError("give --output FILE (a SQLite file) or, for qianshan, --url")
    if style != "qianshan" and (url or day):
        raise click.UsageError("--url and --day-of-changes are for --style qianshan only")
    if day and output is not None and not output.exists():
        raise click.UsageError(f"{output} does not exist: write it first (without --day-of-changes)")


@cli.command(
    "legacy-demo", help="Write a demo legacy BSS database (jiangnan, haibin or qianshan schema) to a SQLite file."
)
@click.option("--style", type=click.Choice(STYLES), required=True, help="Which legacy schema to imitate.")
@click.option(
    "--subscribers", type=click.IntRange(1, 5_000_000), default=300, show_default=True, help="Customers to generate."
)
@click.option(
    "--months",
    type=click.IntRange(0, 36),
    default=None,
    help=f"Months of bills and call records.  [default: 0; qianshan {QIANSHAN_MONTHS}]",
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
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="The SQLite file to write.")
@click.option(
    "--url",
    metavar="URL",
    help="qianshan only: write into this database instead (a SQLAlchemy URL such as "
    "mysql+pymysql://root@127.0.0.1:3306/qianshan; its qianshan tables are replaced).",
)
@click.option(
    "--day-of-changes",
    "day",
    is_flag=True,
    help="qianshan only: apply the next working day of upstream changes to the existing database "
    "(--output or --url) and print them; --seed picks the changes.",
)
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
def legacy_demo(
    style: str,
    subscribers: int,
    months: int | None,
    end_month: Month,
    seed: int,
    output: Path | None,
    url: str | None,
    day: bool,
    force: bool,
) -> None:
    from rich.console import Console

    _target(style, output, url, day)
    check_demo_extras("faker")
    if day:
        from core.demo.qianshan_day import day_of_changes

        for line in day_of_changes(url or output, seed=seed).lines():
            click.echo(line)
        return
    months = (QIANSHAN_MONTHS if style == "qianshan" else 0) if months is None else months
    console = Console(stderr=True)
    status = f"generating {style}: {subscribers} subscribers, {months} month(s) of billing …"
    if url:
        with console.status(status):
            _generate(style, url, subscribers, months, end_month, seed)
        where, counts = _shown(url), url_table_counts(url)
    else:
        if output.exists() and not force:
            raise click.ClickException(f"{output} already exists; use --force to replace it")
        output.parent.mkdir(parents=True, exist_ok=True)
        partial = output.with_name(f".{output.name}.{os.getpid()}.partial")
        try:
            with console.status(status):
                _generate(style, partial, subscribers, months, end_month, seed)
            os.replace(partial, output)
        finally:
            partial.unlink(missing_ok=True)
        where, counts = output, table_counts(output)
    click.echo(
        f"wrote {where} ({style}, seed {seed}, up to {end_month[0]}-{end_month[1]:02d}): "
        + ", ".join(f"{table} {rows}" for table, rows in counts)
    )


def _shown(url: str) -> str:
    """The URL as printed: without its password."""
    import sqlalchemy as sa

    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url


def _generate(style: str, target, subscribers: int, months: int, end_month: Month, seed: int) -> None:
    if style == "qianshan":
        from core.demo.qianshan import generate_qianshan_db

        generate_qianshan_db(target, seed=seed, customers=subscribers, months=months, end_month=end_month)
        return
    from core.demo.legacy_db import generate_legacy_db

    generate_legacy_db(target, seed=seed, subscribers=subscribers, style=style, months=months, end_month=end_month)
