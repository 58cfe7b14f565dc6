"""hall sync: bills and call records (and customers) from each tenant's legacy system, with a progress bar.

``hall sync --reconcile`` runs the full reconciliation instead (rows deleted upstream; core.legacy.reconcile);
a refusal by the safety valve exits with status 2 so scripts notice. ``hall sync reconcile`` runs the change
reconciliation now (every row compared and repaired, then the deletions; core.legacy.change_reconcile).
"""

from __future__ import annotations

import click

from core.cli.base import cli, load_hall, run, with_db

KINDS = ("customers", "bills", "calls")


async def _sync_tenant(hall, tenant, connector, kinds: list[str], full: bool, progress, batch_size: int) -> list[str]:
    """Sync the kinds this connector supports; returns one line per kind."""
    from core.legacy.billing_sync import retry_quarantined, supports, sync_billing
    from core.legacy.customer_sync import retry_customers, sync_customers
    from core.legacy.ports import CustomerSource

    lines = []
    for kind in kinds:
        if kind == "customers":
            if not isinstance(connector, CustomerSource):
                continue
            task = progress.add_task(f"{tenant.id}: customers", total=None)
            result = await sync_customers(tenant, connector, secret=hall.secret, full=full)
            retried = await retry_customers(tenant, connector, secret=hall.secret) if not full else None
            progress.update(task, completed=result.fetched, total=result.fetched)
            lines.append(
                f"{tenant.id}: customers: {result.fetched} fetched, {result.written} written, {result.quarantined} quarantined"
                + (f"; quarantine retried: {retried.resolved} resolved" if retried else "")
            )
            continue
        if not supports(connector, kind):
            continue
        task = progress.add_task(f"{tenant.id}: {kind}", total=None)
        result = await sync_billing(
            tenant,
            connector,
            kind,
            full=full,
            batch_size=batch_size,
            progress=lambda r, task=task: progress.update(task, completed=r.fetched),
        )
        retried = await retry_quarantined(tenant, kind, connector) if not full else None
        progress.update(task, completed=result.fetched, total=result.fetched)
        lines.append(
            f"{tenant.id}: {result}" + (f"; quarantine retried: {retried.resolved} resolved" if retried else "")
        )
    return lines


def _reconcile(hall, tenants, kinds: list[str], force: bool) -> None:
    from core.legacy.sync_jobs import reconcile_tenant

    failed, refused = [], []

    async def go():
        for tenant in tenants:
            if hall.connector(tenant) is None:
                click.echo(f"{tenant.id}: no legacy connector configured")
                continue
            try:
                for result in await reconcile_tenant(hall, tenant.id, kinds, force=force):
                    click.echo(f"{tenant.id}: {result}")
                    if result.refused:
                        refused.append(tenant.id)
            except Exception as exc:  # one tenant's trouble must not stop the others
                failed.append(tenant.id)
                click.secho(f"{tenant.id}: reconciliation failed: {exc}", fg="red")

    run(with_db(hall, go))
    if failed:
        raise SystemExit(1)
    if refused:
        raise SystemExit(2)


def _tenants(hall, tenant_id: str | None) -> list:
    tenants = [hall.tenants.get(tenant_id)] if tenant_id else list(hall.tenants)
    if tenant_id and tenants[0] is None:
        raise click.BadParameter(f"no tenant {tenant_id!r}", param_hint="--tenant")
    return tenants


@cli.group(
    "sync",
    invoke_without_command=True,
    help="Sync customers, bills and call records from each tenant's legacy system (from the last watermark, minus the "
    "look-back). `hall sync reconcile` compares every row instead.",
)
@click.option("--tenant", "tenant_id", default=None, help="Only this tenant.")
@click.option(
    "--kind", "kinds", type=click.Choice(KINDS), multiple=True, help="Only this kind (repeatable; default: all)."
)
@click.option("--full", is_flag=True, help="Start from the beginning instead of the last watermark.")
@click.option(
    "--reconcile", is_flag=True, help="Instead of syncing: remove (customers: close) the hall's rows deleted upstream."
)
@click.option("--force", is_flag=True, help="With --reconcile: go ahead even past the tenant's reconcile_max_share.")
@click.option(
    "--batch-size",
    default=10_000,
    show_default=True,
    type=click.IntRange(10, 100_000),
    help="Bills and call records per page. Pages of 5,000 or more that come back full are read by a DB agent "
    "process and committed 50,000 rows at a time (docs/architecture.md).",
)
@click.pass_context
def sync(
    ctx: click.Context,
    tenant_id: str | None,
    kinds: tuple[str, ...],
    full: bool,
    reconcile: bool,
    force: bool,
    batch_size: int,
) -> None:
    if ctx.invoked_subcommand is not None:
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    hall = load_hall()
    tenants = _tenants(hall, tenant_id)
    if force and not reconcile:
        raise click.BadParameter("only with --reconcile", param_hint="--force")
    if reconcile:
        return _reconcile(hall, tenants, list(kinds or KINDS), force)
    failed: list[str] = []

    async def go():
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, transient=False) as progress:
            for tenant in tenants:
                connector = hall.connector(tenant)
                if connector is None:
                    progress.console.print(f"{tenant.id}: no legacy connector configured", markup=False)
                    continue
                try:
                    for line in await _sync_tenant(
                        hall, tenant, connector, list(kinds or KINDS), full, progress, batch_size
                    ):
                        progress.console.print(line, markup=False, highlight=False)
                except Exception as exc:  # one tenant's legacy outage must not stop the others
                    failed.append(tenant.id)
                    progress.console.print(
                        f"{tenant.id}: sync failed: {exc}", style="red", markup=False, highlight=False
                    )

    run(with_db(hall, go))
    if failed:
        raise SystemExit(1)


@sync.command(
    "reconcile",
    help="Change reconciliation now: compare every legacy row with the hall's copy in chunks, repair what "
    "differs or is missing, then remove rows deleted upstream. Resumes a run cut short.",
)
@click.option("--tenant", "tenant_id", default=None, help="Only this tenant.")
@click.option(
    "--kind",
    "kinds",
    type=click.Choice(KINDS),
    multiple=True,
    help="Only this kind (repeatable; default: the tenant's [legacy] change_check_kinds).",
)
@click.option("--force", is_flag=True, help="Let the deletion step go past the tenant's reconcile_max_share.")
def sync_reconcile(tenant_id: str | None, kinds: tuple[str, ...], force: bool) -> None:
    from core.legacy.sync_jobs import reconcile_changes_tenant

    hall = load_hall()
    tenants = _tenants(hall, tenant_id)
    failed, refused = [], []

    async def go():
        for tenant in tenants:
            if hall.connector(tenant) is None:
                click.echo(f"{tenant.id}: no legacy connector configured")
                continue
            try:
                results = await reconcile_changes_tenant(hall, tenant.id, list(kinds) or None, force=force)
            except Exception as exc:  # one tenant's trouble must not stop the others
                failed.append(tenant.id)
                click.secho(f"{tenant.id}: change reconciliation failed: {exc}", fg="red")
                continue
            if not results:
                click.echo(f"{tenant.id}: nothing to compare (the connector cannot list and re-read these kinds)")
            for result in results:
                click.echo(f"{tenant.id}: {result}")
                if result.note:
                    refused.append(tenant.id)

    run(with_db(hall, go))
    if failed:
        raise SystemExit(1)
    if refused:
        raise SystemExit(2)
