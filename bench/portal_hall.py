"""The throw-away hall of bench/portal.py (also bench/portal_profile.py, bench/footprint.py, bench/scaleout.py).

Copies of hall.toml, tenants/ and themes/ in a scratch folder, demo legacy
databases, migrations and the customer sync (the functions ``hall demo``
calls), then one customer account and the data of the page measured: bills
for ``--page bill|billpay``, call records as well for ``--page calls``.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

from _common import REPO

PASSWORD = "Bench-Portal-2026!"
PAGE = "/account"
CALLS_PER_MONTH = 120  # more than one page (calls_per_page is 50)
BILL_MONTHS = 13  # 12 shown + the one before the oldest (the comparison reads it)
BILL_ITEMS = (
    ("YZF", "月租费", 5800),
    ("SHF", "市话费", 1200),
    ("CTF", "长途通话费", 2730),
    ("DXF", "短信费", 300),
    ("LLF", "流量费", 2000),
    ("ZZF", "增值业务费", 500),
    ("GJF", "国际长途费", 990),
)


def hall_env(root: Path, secret: str, database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALL_")}
    env.update(HALL_CONFIG=str(root / "hall.toml"), HALL_SECURITY__SECRET_KEY=secret, HALL_DATABASE__URL=database_url)
    # no periodic jobs in the web workers (SQLite's default): a sync or reconciliation mid-run would skew the figures,
    # and reconciliation would remove the bench's own bills (they are not in the legacy system)
    env["HALL_JOBS__SCHEDULE_IN_WEB"] = "false"
    return env


def copy_deployment(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO / "hall.toml", root / "hall.toml")
    shutil.copytree(REPO / "tenants", root / "tenants")
    shutil.copytree(REPO / "themes", root / "themes")


def prepare_hall(root: Path, env: dict, tenant_id: str, subscribers: int, page: str = "account") -> dict:
    """Demo legacy DBs, migrate, sync, operators (core.cli.demo), then one customer account; returns its log-in."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        from core.cli.demo import generate_legacy, prepare
        from core.demo.era import default_end_month
        from core.hall import Hall

        hall = Hall.from_config(env["HALL_CONFIG"])
        tenant = hall.tenants.get(tenant_id)
        if tenant is None:
            raise RuntimeError(
                f"no tenant {tenant_id!r} in {root}/tenants (have: {', '.join(t.id for t in hall.tenants)})"
            )
        demo_customers = generate_legacy(hall, subscribers, default_end_month())
        return asyncio.run(_prepare(hall, tenant, demo_customers, prepare, page))
    finally:
        os.environ.clear()
        os.environ.update(saved)


async def _prepare(hall, tenant, demo_customers, prepare, page: str = "account") -> dict:
    from core.auth.customers import create_account
    from core.auth.passwords import hash_password
    from core.auth.tables import Customer, ServiceNumber
    from core.db.engine import transaction
    from core.tenancy import tenant_scope

    await hall.db.connect()
    try:
        await prepare(hall, demo_customers)
        with tenant_scope(tenant):
            numbers = (
                await ServiceNumber.select()
                .where((ServiceNumber.status == "active") & (ServiceNumber.kind == "phone"))
                .order_by(ServiceNumber.number)
            )
            for sn in numbers:
                customer = await Customer.select().where(Customer.legacy_id == sn["customer_legacy_id"]).first()
                if customer and customer["status"] == "active" and customer["name"].strip():
                    break
            else:
                raise RuntimeError(f"tenant {tenant.id}: no active customer with an active phone number after the sync")
            password_hash = await hash_password(PASSWORD)
            async with transaction():
                await create_account(
                    customer=customer, number=sn["number"], password_hash=password_hash, language=tenant.language
                )
            path = PAGE
            if page in ("bill", "calls", "billpay"):
                month = await seed_bills(sn["number"])
                path = {"bill": f"/bills/{sn['number']}/{month}", "calls": f"/bills/{sn['number']}/calls"}.get(
                    page, "/billpay/"
                )
            if page == "calls":
                await seed_calls(sn["number"], month)
        return {
            "login": sn["number"],
            "name": customer["name"].strip(),
            "host": tenant.hosts[0] if tenant.hosts else None,
            "tenant": tenant.id,
            "path": path,
            "number": sn["number"],
        }
    finally:
        await hall.db.disconnect()
        for connector in hall.connectors.values():
            try:
                await connector.close()
            except Exception:  # best effort: the process is about to move on
                pass


async def seed_bills(number: str) -> str:
    """Replace the number's synced bills with BILL_MONTHS months (the latest first) of 6-7 line items each; the latest month."""
    import datetime as dt

    from core.db.engine import transaction
    from core.legacy.billing_tables import Bill, BillItem

    today = dt.date.today()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    months = []
    for _ in range(BILL_MONTHS):
        months.append((year, month))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    bills, items = [], []
    for index, (year, mon) in enumerate(months):
        label = f"{year:04d}-{mon:02d}"
        legacy = f"bench-{number}-{label}"
        lines = [(c, n, a + index * 37 % 500) for c, n, a in BILL_ITEMS if not (c == "GJF" and index % 3)]
        amount = sum(a for _, _, a in lines)
        paid = 0 if index == 0 else amount
        bills.append(
            Bill(
                legacy_id=legacy,
                number=number,
                month=label,
                amount_fen=amount,
                paid_fen=paid,
                status="unpaid" if index == 0 else "paid",
                due_date=dt.date(year + (mon == 12), mon % 12 + 1, 15),
            )
        )
        items += [
            BillItem(legacy_id=f"{legacy}/{p}", bill_legacy_id=legacy, position=p, code=c, name=n, amount_fen=a)
            for p, (c, n, a) in enumerate(lines)
        ]
    async with transaction():
        old = [r["legacy_id"] for r in await Bill.select(Bill.legacy_id).where(Bill.number == number)]
        if old:
            await BillItem.delete().where(BillItem.bill_legacy_id.is_in(old))
            await Bill.delete().where(Bill.number == number)
        await Bill.insert(*bills)
        await BillItem.insert(*items)
    return f"{months[0][0]:04d}-{months[0][1]:02d}"


async def seed_calls(number: str, month: str) -> None:
    """Replace the number's call records of ``month`` with CALLS_PER_MONTH of every type (the page shows the first 50)."""
    import datetime as dt
    import zoneinfo

    from core.db.engine import transaction
    from core.legacy.billing_tables import CallRecord

    zone = zoneinfo.ZoneInfo("Asia/Shanghai")
    year, mon = int(month[:4]), int(month[5:])
    kinds = ("local", "long_distance", "international", "sms", "data")
    rows = [
        CallRecord(
            legacy_id=f"bench-{number}-{month}-c{i}",
            number=number,
            started_at=dt.datetime(year, mon, 1 + i % 28, 8 + i % 12, i % 60, tzinfo=zone),
            duration_s=30 + i * 11,
            called_number=f"1380013{i:04d}",
            call_type=kinds[i % 5],
            charge_fen=10 * (i % 7),
        )
        for i in range(CALLS_PER_MONTH)
    ]
    async with transaction():
        await CallRecord.delete().where(CallRecord.number == number)
        await CallRecord.insert(*rows)
