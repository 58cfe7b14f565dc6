"""``hall connector inspect URL``: the report on screen (rich) and, with ``--draft``, a draft mapping in a file."""

from __future__ import annotations

from pathlib import Path

import click

EPILOG = "Read-only. Example: hall connector inspect sqlite:///var/legacy-jiangnan.sqlite3 --draft connector-draft.toml"


def add_commands(cli: click.Group) -> None:
    group = cli.commands.get("connector")
    if group is None:

        @cli.group("connector", help="Tools for legacy connectors (docs/connectors.md).")
        def group() -> None:
            pass

    if "inspect" not in group.commands:
        group.add_command(inspect_command)


@click.command(
    "inspect",
    help="List a legacy database's tables, columns, row counts and sample values, guess money, "
    "time and code columns, and (--draft) draft a [connector] mapping to edit.",
    epilog=EPILOG,
)
@click.argument("url")
@click.option("--table", "tables", multiple=True, help="Inspect only this table (repeatable).")
@click.option(
    "--sample",
    type=click.IntRange(0, 50),
    default=5,
    show_default=True,
    help="Distinct sample values shown per column.",
)
@click.option(
    "--draft",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write a draft [connector] TOML here.",
)
def inspect_command(url: str, tables: tuple[str, ...], sample: int, draft: Path | None) -> None:
    from plugins.sqlbss.inspect import InspectError, inspect_url

    try:
        reports = inspect_url(url, list(tables), sample)
    except InspectError as exc:
        click.echo(f"Error: {exc}", err=True)
        raise SystemExit(2) from None
    show(reports)
    if draft is not None:
        from plugins.sqlbss.inspect_draft import draft_toml

        draft.write_text(draft_toml(url, reports), encoding="utf-8")
        click.echo(f"Draft mapping written to {draft}: resolve its TODOs, then `hall check`.")


def show(reports) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(Console().width, 120))
    for report in reports:
        table = Table(title=f"{report.name}  ({report.rows} rows)", title_justify="left", show_lines=False)
        for heading in ("column", "type", "null", "pk", "samples", "guesses"):
            table.add_column(heading, overflow="fold")
        for col in report.columns:
            table.add_row(
                col.name,
                col.type,
                "yes" if col.nullable else "no",
                "PK" if col.primary_key else "",
                ", ".join(col.samples),
                "; ".join(col.guess.labels()),
            )
        console.print(table)
