"""hall check, hall plugins, hall config-reference."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from core.cli.base import cli, load_hall, run


@cli.command(help="Validate hall.toml, every tenant.toml, themes, plugins and connectors; exit 2 on any problem.")
def check() -> None:
    hall = load_hall()

    async def probe():
        problems = []
        try:  # the hall's own database: reachable, and migrated?
            await hall.db.connect()
            from core.db.migrate import pending_migrations

            pending = await pending_migrations(hall)
            if pending == ["(no migrations table)"]:
                problems.append(
                    f"{hall.settings.config_file}: database.url: the database is not migrated yet: run `hall migrate`"
                )
            elif pending:
                problems.append(
                    f"{hall.settings.config_file}: database.url: {len(pending)} migration(s) not applied ({', '.join(pending[:3])}): run `hall migrate`"
                )
        except Exception as exc:
            problems.append(f"{hall.settings.config_file}: database.url: cannot use the database: {exc}")
        finally:
            await hall.db.disconnect()
        for tenant_id, connector in hall.connectors.items():
            checker = getattr(connector, "check", None)
            try:
                if checker is not None:
                    await checker()
                else:
                    await connector.ping()
            except Exception as exc:
                issues = getattr(exc, "issues", None)
                problems += [str(i) for i in issues] if issues else [f"tenant {tenant_id}: connector: {exc}"]
        problems += payment_provider_problems(hall)
        return problems

    problems = run(probe())
    if problems:
        click.secho("Problems found:", fg="red", err=True)
        for p in problems:
            click.echo(f"  {p}", err=True)
        raise SystemExit(2)
    click.secho(
        f"OK: {len(hall.tenants)} tenant(s), {len(hall.plugins.names())} plugin(s), {len(hall.themes)} theme(s), database {hall.db.parsed.engine}.",
        fg="green",
    )


def payment_provider_problems(hall) -> list[str]:
    """Build every payment provider a tenant switched on: unreadable or bad keys show here, not at a customer's checkout."""
    from core.config import ConfigError
    from core.payments.registry import enabled_providers, provider_for

    problems = []
    for tenant in hall.tenants:
        for provider_id in enabled_providers(hall, tenant):
            try:
                if provider_for(hall, tenant, provider_id) is None:
                    problems.append(
                        f"{tenant.path / 'tenant.toml'}: payments.providers: no installed plugin provides payment provider {provider_id!r}"
                    )
            except ConfigError as exc:
                problems += [str(i) for i in exc.issues]
    return problems


@cli.command(help="List plugins (version and description from their manifests) and the tenants that enable them.")
def plugins() -> None:
    hall = load_hall(connect_tenants=False)
    table = Table("plugin", "version", "source", "tenants enabling it", "description")
    for name in hall.plugins.names():
        info = hall.plugins.info(name)
        table.add_row(
            name, info.version or "-", info.source, ", ".join(hall.tenants_enabling(name)) or "-", info.description
        )
    Console(width=140).print(table)


@cli.command("config-reference", help="Write the configuration reference (docs/configuration.md) from the validators.")
@click.option("--output", type=click.Path(dir_okay=False), default=None, help="Write here instead of printing.")
def config_reference(output: str | None) -> None:
    from core.config.reference import render_reference

    hall = load_hall(connect_tenants=False)
    text = render_reference(hall.settings_models)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")
    else:
        click.echo(text)
