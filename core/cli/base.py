"""Shared pieces of the CLI: the root group, loading the hall with readable config errors, running async code."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import click

from core.config import ConfigError


@click.group(help="Hall: a white-label online business hall for telecom operators.")
@click.option(
    "--config",
    "config",
    type=click.Path(dir_okay=False),
    envvar="HALL_CONFIG",
    help="Path to hall.toml (default: ./hall.toml).",
)
@click.pass_context
def cli(ctx: click.Context, config: str | None) -> None:
    ctx.ensure_object(dict)
    if config:
        os.environ["HALL_CONFIG"] = str(Path(config).resolve())
    ctx.obj["config"] = config


def load_hall(connect_tenants: bool = True):
    from core.hall import Hall

    try:
        return Hall.from_config(os.environ.get("HALL_CONFIG"), connect_tenants=connect_tenants)
    except ConfigError as exc:
        report_config_error(exc)
        raise SystemExit(2) from None


def report_config_error(exc: ConfigError) -> None:
    click.secho(
        f"Configuration is invalid ({len(exc.issues)} problem{'s' if len(exc.issues) != 1 else ''}):",
        fg="red",
        err=True,
    )
    for issue in exc.issues:
        click.echo(f"  {issue.file}: {issue.key}: {issue.reason}", err=True)


def run(coro):
    return asyncio.run(coro)


async def with_db(hall, fn):
    await hall.db.connect()
    try:
        return await fn()
    finally:
        await hall.db.disconnect()
