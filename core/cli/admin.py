"""hall migrate, hall createsuperuser, hall operator, hall sync-customers."""

from __future__ import annotations

import click

from core.cli.base import cli, load_hall, run, with_db


def _check_password(password: str) -> None:
    from core.auth.passwords import password_problem

    problem = password_problem(password)
    if problem:
        raise click.BadParameter(problem, param_hint="--password")


@cli.command(help="Run pending migrations: the core's, then each plugin's.")
def migrate() -> None:
    from core.db.migrate import migrate as do_migrate

    hall = load_hall(connect_tenants=False)
    for app, message in run(with_db(hall, lambda: do_migrate(hall))):
        click.echo(f"{app}: {message}")


@cli.command(
    help="Run background and scheduled jobs (procrastinate on PostgreSQL, in-process on SQLite). Logs to stderr."
)
@click.option("--once", is_flag=True, help="Run what is due or queued, then stop.")
def worker(once: bool) -> None:
    import asyncio
    import logging

    from core.jobs import make_runner
    from core.logs import configure

    configure()
    log = logging.getLogger("hall.worker")
    hall = load_hall()

    async def go():
        runner = make_runner(hall)
        hall.jobs = runner
        settings = hall.deployment.jobs
        log.info(
            "hall worker started: engine %s (%s), queue hall, %d job(s) [%s], %d tenant(s) [%s], concurrency %d%s%s",
            runner.kind,
            "SQLite" if hall.db.is_sqlite else "PostgreSQL",
            len(runner.jobs),
            ", ".join(sorted(runner.jobs)),
            len(list(hall.tenants)),
            ", ".join(t.id for t in hall.tenants),
            settings.concurrency if runner.kind == "procrastinate" else 1,
            f", heartbeat every {settings.heartbeat_seconds:g} s, stalled after {settings.stalled_after_seconds:g} s"
            if runner.kind == "procrastinate"
            else "",
            ", once" if once else "",
        )
        try:
            if runner.kind == "procrastinate":
                await runner.work(wait=not once)
                return
            if once:
                await runner.run_due()
                return
            while True:
                await runner.run_due()
                await asyncio.sleep(20)
        finally:
            log.info("hall worker stopped")

    run(with_db(hall, go))


@cli.command(help="Create or update a super-admin (acts in every tenant's console).")
@click.option("--username", required=True)
@click.option("--name", "display_name", default="Super admin")
@click.password_option()
def createsuperuser(username: str, display_name: str, password: str) -> None:
    from core.auth.admin import ensure_superadmin

    _check_password(password)
    hall = load_hall(connect_tenants=False)
    run(with_db(hall, lambda: ensure_superadmin(username, display_name, password)))
    click.echo(f"super-admin {username} ready")


@cli.command(
    "create-operator", help="Create or update an operator of one tenant with a role granting the given permissions."
)
@click.option("--tenant", "tenant_id", required=True)
@click.option("--username", required=True)
@click.option("--name", "display_name", default="")
@click.option("--role", default="administrator", show_default=True)
@click.option(
    "--permission", "permissions", multiple=True, help="Permission code; repeat. Default: every known permission."
)
@click.password_option()
def create_operator(
    tenant_id: str, username: str, display_name: str, role: str, permissions: tuple[str, ...], password: str
) -> None:
    from core.auth.admin import ensure_operator
    from core.auth.permissions import known_codes

    _check_password(password)
    hall = load_hall(connect_tenants=False)
    tenant = hall.tenants.get(tenant_id)
    if tenant is None:
        raise click.BadParameter(
            f"no tenant {tenant_id!r} (have: {', '.join(t.id for t in hall.tenants)})", param_hint="--tenant"
        )
    perms = list(permissions) or sorted(known_codes(hall))
    unknown = set(perms) - known_codes(hall)
    if unknown:
        raise click.BadParameter(f"unknown permission(s): {', '.join(sorted(unknown))}", param_hint="--permission")
    run(with_db(hall, lambda: ensure_operator(tenant, username, display_name or username, password, role, perms)))
    click.echo(f"operator {username} of {tenant_id} ready (role {role})")


@cli.command("sync-customers", help="Sync customers and service numbers from each tenant's legacy system.")
@click.option("--tenant", "tenant_id", default=None)
@click.option("--full", is_flag=True, help="Start from the beginning instead of the last watermark.")
def sync_customers(tenant_id: str | None, full: bool) -> None:
    from core.legacy.customer_sync import sync_customers as do_sync

    hall = load_hall()
    tenants = [hall.tenants.get(tenant_id)] if tenant_id else list(hall.tenants)
    if tenant_id and tenants[0] is None:
        raise click.BadParameter(f"no tenant {tenant_id!r}", param_hint="--tenant")

    async def go():
        for tenant in tenants:
            connector = hall.connector(tenant)
            if connector is None:
                click.echo(f"{tenant.id}: no legacy connector configured")
                continue
            try:
                result = await do_sync(tenant, connector, secret=hall.secret, full=full)
            except Exception as exc:  # one tenant's legacy outage must not stop the others
                failed.append(tenant.id)
                click.secho(f"{tenant.id}: sync failed: {exc}", fg="red", err=True)
                continue
            click.echo(f"{tenant.id}: {result}")

    failed: list[str] = []
    run(with_db(hall, go))
    if failed:
        raise SystemExit(1)
