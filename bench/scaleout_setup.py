"""In-process halves of bench/scaleout.py: the throw-away hall before the servers start, and the database's word after.

Kept apart from the load (bench/scaleout_locust.py): locust patches the standard library with gevent on import,
and these functions run on asyncio.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
from pathlib import Path

from portal_hall import BILL_ITEMS, PASSWORD, copy_deployment

TENANT = "jiangnan"
BILLS_PER_USER = 24  # unpaid months each load user can pay one by one (a bill is paid once)
CHECK_ACCOUNTS = ("session", "throttle", "hold-a", "hold-b")  # the explicit checks' own customers, not in the load


def write_deployment(root: Path, sandbox_port: int) -> None:
    """The repository's deployment, with the jiangnan tenant pointed at this run's sandbox and limits for one load balancer.

    * Alipay only (no choice page in the way) through the sandbox on ``sandbox_port``;
    * complaints: 1000 per customer and 10000 per address per hour instead of 5 and 10 - each load user (with its
      own address, through X-Forwarded-For) complains every few seconds; the limits themselves are not under test.
    """
    copy_deployment(root)
    path = root / "tenants" / TENANT / "tenant.toml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^providers = \[[^\]]*\]", 'providers = ["alipay"]', text, count=1)
    text = text.replace("http://127.0.0.1:8020/gateway.do", f"http://127.0.0.1:{sandbox_port}/gateway.do")
    text = text.replace(
        "[plugins.service]\n", "[plugins.service]\nper_customer_per_hour = 1000\nper_address_per_hour = 10000\n", 1
    )
    if 'providers = ["alipay"]' not in text or f":{sandbox_port}/" not in text or "per_customer_per_hour" not in text:
        raise RuntimeError(f"{path}: the bench could not rewrite the tenant (its layout changed?)")
    path.write_text(text, encoding="utf-8")


def prepare_hall(root: Path, env: dict, users: int, subscribers: int) -> dict:
    """Demo legacy data, migrations, sync, operators (core.cli.demo), the sandbox's keys, and the accounts; a plan."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        from core.cli.demo import generate_legacy, prepare
        from core.demo.era import default_end_month
        from core.hall import Hall

        hall = Hall.from_config(env["HALL_CONFIG"])
        tenant = hall.tenants.get(TENANT)
        end_month = default_end_month()  # last month, China time, as `hall demo`
        demo_customers = generate_legacy(hall, subscribers, end_month)
        plan = asyncio.run(_prepare(hall, tenant, demo_customers, prepare, users, end_month))
        # the sandbox's key pair and the tenant's merchant keys in .secrets.toml, as `hall demo` does without serving
        list(hall.plugins.hook.demo_services(hall=hall, start=False, echo=lambda *_a, **_k: None))
        plan["paths"] = _paths(hall)
        return plan
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _paths(hall) -> dict:
    from core.web.urls import route_path

    names = (
        "auth:login",
        "auth:logout",
        "account:overview",
        "billpay:index",
        "billpay:pay",
        "service:complain",
        "phone:numbers",
        "phone:numbers.hold",
    )
    paths = {name: route_path(hall, name) for name in names}
    paths["bills:bill"] = route_path(hall, "bills:bill", number="NUMBER", month="MONTH")
    paths["bills:calls"] = route_path(hall, "bills:calls", number="NUMBER")
    paths["bills:calls.csv"] = route_path(hall, "bills:calls.csv", number="NUMBER")
    return paths


async def _prepare(hall, tenant, demo_customers, prepare, users: int, end_month) -> dict:
    from core.auth.customers import create_account
    from core.auth.passwords import hash_password
    from core.auth.tables import Customer, CustomerAccount, ServiceNumber
    from core.db.engine import transaction
    from core.tenancy import tenant_scope

    await hall.db.connect()
    try:
        await prepare(hall, demo_customers)
        password_hash = await hash_password(PASSWORD)
        accounts, seen = [], set()
        with tenant_scope(tenant):
            numbers = (
                await ServiceNumber.select()
                .where((ServiceNumber.status == "active") & (ServiceNumber.kind == "phone"))
                .order_by(ServiceNumber.number)
            )
            taken = {r["customer_legacy_id"] for r in await CustomerAccount.select(CustomerAccount.customer_legacy_id)}
            wanted = users + len(CHECK_ACCOUNTS)
            for sn in numbers:
                if len(accounts) == wanted:
                    break
                legacy = sn["customer_legacy_id"]
                if legacy in seen or legacy in taken:
                    continue
                customer = await Customer.select().where(Customer.legacy_id == legacy).first()
                if not customer or customer["status"] != "active" or not customer["name"].strip():
                    continue
                seen.add(legacy)
                async with transaction():
                    await create_account(
                        customer=customer, number=sn["number"], password_hash=password_hash, language=tenant.language
                    )
                accounts.append({"login": sn["number"], "number": sn["number"], "name": customer["name"].strip()})
            if len(accounts) < wanted:
                raise RuntimeError(
                    f"only {len(accounts)} customers with an active phone number; --users needs {wanted}"
                )
            for account in accounts[len(CHECK_ACCOUNTS) :]:
                account["month"], account["bills"] = await seed_unpaid_bills(account["number"], end_month)
        checks = dict(zip(CHECK_ACCOUNTS, accounts[: len(CHECK_ACCOUNTS)], strict=True))
        return {"tenant": tenant.id, "password": PASSWORD, "users": accounts[len(CHECK_ACCOUNTS) :], "checks": checks}
    finally:
        await hall.db.disconnect()
        for connector in hall.connectors.values():
            try:
                await connector.close()
            except Exception:  # best effort: the process is about to move on
                pass


async def seed_unpaid_bills(number: str, end_month) -> tuple[str, list[str]]:
    """Replace the number's synced bills with BILLS_PER_USER unpaid months to ``end_month``; (that month, bill ids oldest first)."""
    from core.db.engine import transaction
    from core.legacy.billing_tables import Bill, BillItem

    year, month = end_month
    bills, items, ids = [], [], []
    for index in range(BILLS_PER_USER):
        label = f"{year:04d}-{month:02d}"
        legacy = f"scaleout-{number}-{label}"
        lines = [(c, n, a + index * 37 % 500) for c, n, a in BILL_ITEMS]
        bills.append(
            Bill(
                legacy_id=legacy,
                number=number,
                month=label,
                amount_fen=sum(a for _, _, a in lines),
                paid_fen=0,
                status="unpaid",
                due_date=dt.date(year + (month == 12), month % 12 + 1, 15),
            )
        )
        items += [
            BillItem(legacy_id=f"{legacy}/{p}", bill_legacy_id=legacy, position=p, code=c, name=n, amount_fen=a)
            for p, (c, n, a) in enumerate(lines)
        ]
        ids.append(legacy)
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    async with transaction():
        old = [r["legacy_id"] for r in await Bill.select(Bill.legacy_id).where(Bill.number == number)]
        if old:
            await BillItem.delete().where(BillItem.bill_legacy_id.is_in(old))
            await Bill.delete().where(Bill.number == number)
        await Bill.insert(*bills)
        await BillItem.insert(*items)
    return bills[0].month, list(reversed(ids))


async def connections(database_url: str) -> dict:
    """Open connections to this run's database now, by state (pg_stat_activity)."""
    import asyncpg

    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch(
            "SELECT coalesce(state, '') AS state, count(*) AS n FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid() GROUP BY 1"
        )
        return {r["state"]: r["n"] for r in rows}
    finally:
        await conn.close()


# -- after the load: what the database says ---------------------------------------------------------


async def jobs_left(database_url: str) -> dict:
    """procrastinate's queue by status, how many jobs are due and unfinished (todo now, or doing), and the outbox
    events not delivered yet (the minute's ``core.deliver_outbox`` delivers them)."""
    import asyncpg

    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch("SELECT status::text AS status, count(*) AS n FROM procrastinate_jobs GROUP BY 1")
        due = await conn.fetchval(
            "SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing'"
            " OR (status = 'todo' AND (scheduled_at IS NULL OR scheduled_at <= now()))"
        )
        outbox = await conn.fetchval("SELECT count(*) FROM core_outbox_event WHERE status IN ('pending', 'delivering')")
        return {"by_status": {r["status"]: r["n"] for r in rows}, "due_unfinished": due, "outbox_undelivered": outbox}
    finally:
        await conn.close()


async def wait_drained(database_url: str, grace: float, log) -> dict:
    """Poll until no job is due and unfinished and the outbox is delivered, for at most ``grace`` seconds."""
    started = asyncio.get_running_loop().time()
    while True:
        state = await jobs_left(database_url)
        waited = asyncio.get_running_loop().time() - started
        if (state["due_unfinished"] == 0 and state["outbox_undelivered"] == 0) or waited >= grace:
            return {**state, "waited_s": round(waited, 1)}
        log(
            f"background: {state['due_unfinished']} jobs due or running, {state['outbox_undelivered']} outbox events"
            f" undelivered; waiting ({waited:.0f}/{grace:.0f} s)"
        )
        await asyncio.sleep(5)


async def table_writes(database_url: str) -> dict[str, int]:
    """Rows inserted, updated and deleted so far, per table (pg_stat_user_tables)."""
    import asyncpg

    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch("SELECT relname, n_tup_ins + n_tup_upd + n_tup_del AS n FROM pg_stat_user_tables")
        return {r["relname"]: r["n"] for r in rows}
    finally:
        await conn.close()


async def database_facts(database_url: str, intents: list[str], hold_numbers: list[str], writes_before: dict) -> dict:
    """Payments, outbox and holds as the database has them after the load; the tables written most since ``writes_before``."""
    import asyncpg

    conn = await asyncpg.connect(database_url)
    try:
        states = await conn.fetch(
            "SELECT state, count(*) AS n FROM core_payment_intent WHERE public_id = ANY($1::text[]) GROUP BY 1", intents
        )
        notified = await conn.fetchval(
            "SELECT count(DISTINCT intent_id) FROM core_payment_event"
            " WHERE kind = 'notification' AND accepted AND intent_id = ANY($1::text[])",
            intents,
        )
        refused = await conn.fetchval(
            "SELECT count(*) FROM core_payment_event WHERE kind = 'notification' AND NOT accepted"
        )
        posted = await conn.fetchval(
            "SELECT count(*) FROM core_outbox_event WHERE kind = 'payment.posted' AND payload->>'intent_id' = ANY($1::text[])",
            intents,
        )
        outbox = await conn.fetch("SELECT status, count(*) AS n FROM core_outbox_event GROUP BY 1")
        holds = await conn.fetch(
            "SELECT number, count(*) AS n FROM phone_number_hold WHERE number = ANY($1::text[]) AND state = 'held' GROUP BY 1",
            hold_numbers,
        )
        after = await table_writes(database_url)
        delta = {t: n - writes_before.get(t, 0) for t, n in after.items() if n > writes_before.get(t, 0)}
        return {
            "rows_written_load_to_drained": dict(sorted(delta.items(), key=lambda kv: -kv[1])[:12]),
            "intents": {r["state"]: r["n"] for r in states},
            "intents_notified": notified,
            "notifications_refused": refused,
            "payment_posted_events": posted,
            "outbox": {r["status"]: r["n"] for r in outbox},
            "live_holds": {r["number"]: r["n"] for r in holds},
        }
    finally:
        await conn.close()
