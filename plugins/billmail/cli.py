"""``hall billmail send`` (with a progress bar) and ``hall billmail status``."""

from __future__ import annotations

import re

import click

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def add_commands(cli) -> None:
    @cli.group("billmail", help="The monthly bill e-mail (docs/billmail.md).")
    def billmail() -> None:
        pass

    @billmail.command("send", help="Create the month's batch if needed and send what is due, with a progress bar.")
    @click.option("--tenant", "tenant_id", required=True, help="Tenant id.")
    @click.option("--month", default=None, help="YYYY-MM (default: the newest month whose bills have synced).")
    @click.option(
        "--take-over",
        is_flag=True,
        help="Take the batch's lease even if another sender seems to hold it "
        "(only when you know it is dead, e.g. after a crash); its in-flight mails become uncertain.",
    )
    @click.option("--limit", type=click.IntRange(1), default=None, help="Stop after about this many mails.")
    def send(tenant_id: str, month: str | None, take_over: bool, limit: int | None) -> None:
        from core.api.cli import load_hall, run, with_db

        hall = load_hall(connect_tenants=False)
        tenant = hall.tenants.get(tenant_id)
        if tenant is None or not tenant.enables("billmail"):
            raise click.BadParameter(f"no tenant {tenant_id!r} with the billmail plugin", param_hint="--tenant")
        if month and not MONTH.match(month):
            raise click.BadParameter("YYYY-MM", param_hint="--month")
        code = run(with_db(hall, lambda: _send(hall, tenant, month, take_over, limit)))
        raise SystemExit(code)

    @billmail.command("status", help="Batches of a tenant and their mails by state.")
    @click.option("--tenant", "tenant_id", required=True, help="Tenant id.")
    def status(tenant_id: str) -> None:
        from core.api.cli import load_hall, run, with_db
        from core.api.db import tenant_scope
        from plugins.billmail.batches import counts
        from plugins.billmail.tables import Batch

        hall = load_hall(connect_tenants=False)
        tenant = hall.tenants.get(tenant_id)
        if tenant is None:
            raise click.BadParameter(f"no tenant {tenant_id!r}", param_hint="--tenant")

        async def go():
            with tenant_scope(tenant):
                for batch in await Batch.select().order_by(Batch.month):
                    by_state = await counts(batch["id"])
                    done = "finished" if batch["finished_at"] else "open"
                    click.echo(
                        f"{batch['month']} batch {batch['id']} ({done}): "
                        + ", ".join(f"{k} {v}" for k, v in sorted(by_state.items()))
                    )

        run(with_db(hall, go))


async def _send(hall, tenant, month: str | None, take_over: bool, limit: int | None) -> int:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from core.api.db import tenant_scope
    from core.api.legacy import Bill
    from plugins.billmail.batches import counts, create_batch, month_ready
    from plugins.billmail.sender import BatchSender

    with tenant_scope(tenant):
        if month is None:
            month = await month_ready()
            if month is None:
                click.echo(f"{tenant.id}: no month whose bills have fully synced")
                return 1
        elif not await Bill.exists().where(Bill.month == month):
            click.echo(f"{tenant.id}: no bills for {month}")
            return 1
        batch_id, created = await create_batch(month)
        before = await counts(batch_id)
        total = sum(before.values())
        done0 = total - before.get("queued", 0)
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
        )
        with Progress(*columns) as progress:
            task = progress.add_task(f"{tenant.id} {month}", total=total, completed=done0)
            sender = BatchSender(
                hall,
                tenant,
                batch_id,
                progress=lambda r: progress.update(task, completed=done0 + r.sent + r.failed + r.uncertain),
            )
            result = await sender.run(take_over=take_over, limit=limit)
        after = await counts(batch_id)
    click.echo(
        f"{tenant.id} {month} batch {batch_id}{' (new)' if created else ''}: {result.status}; this run sent {result.sent}, "
        f"failed {result.failed}, uncertain {result.uncertain}; left by a stopped sender: {result.marked_uncertain} uncertain"
    )
    click.echo("  now: " + ", ".join(f"{k} {v}" for k, v in sorted(after.items())))
    for error in result.errors:
        click.echo(f"  error: {error}")
    if result.status == "busy":
        click.echo("  another sender holds this batch's lease (use --take-over only if it is dead)")
        return 3
    return 0
