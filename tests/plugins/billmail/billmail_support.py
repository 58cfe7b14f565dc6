"""Two tenants with billmail, customers with unique addresses (the SMTP sink is shared by the session), bills and calls;
mailing_hall: one tenant with N subscribers seeded directly, small claim chunks (the kill and CLI tests)."""

from __future__ import annotations

import datetime as dt
import uuid

from core.api.legacy import Bill, BillItem, CallRecord, SyncState
from core.api.testing import TenantSpec, add_operator, make_customer, register_customer
from plugins.billmail.tables import Subscription

MONTH = "2026-10"
UTC = dt.timezone.utc


def build(hall_factory, alpha_settings: dict | None = None):
    harness = hall_factory(
        [
            TenantSpec("alpha", plugins=["billmail"], plugin_settings={"billmail": alpha_settings or {}}),
            TenantSpec("beta", plugins=["billmail"], language="en"),
        ]
    )
    tag = uuid.uuid4().hex[:10]
    people = {}
    for n, tid in enumerate(("alpha", "beta")):
        customer = make_customer(70 + n, email=f"{tid}-{tag}@example.com")
        register_customer(harness, tid, customer)
        people[tid] = {"customer": customer, "number": customer.numbers[0].number, "email": customer.email}
        add_operator(harness, tid, f"{tid}-clerk", permissions=["billmail.view", "billmail.resend"])
        add_operator(harness, tid, f"{tid}-viewer", permissions=["billmail.view"])
    return harness, people


def login(harness, tid: str, number: str):
    client = harness.client(tid)
    client.login_customer(number)
    return client


async def seed_bills(
    numbers: list[str], month: str = MONTH, calls: int = 3, synced: bool = True, now: dt.datetime | None = None
) -> None:
    """One bill per number (two items) and ``calls`` calls in the month; the bills sync's state (call inside a tenant scope)."""
    now = now or dt.datetime.now(UTC)
    year, mon = int(month[:4]), int(month[5:])
    bills, items, records = [], [], []
    for i, number in enumerate(numbers):
        lid = f"B-{month}-{number}"
        bills.append(
            Bill(
                legacy_id=lid,
                number=number,
                month=month,
                amount_fen=12_345 + i,
                paid_fen=2_345,
                status="partial",
                due_date=dt.date(year, mon, 28),
                synced_at=now,
            )
        )
        items.append(
            BillItem(
                legacy_id=f"{lid}/1", bill_legacy_id=lid, position=1, code="BASE", name="月基本费", amount_fen=5_800
            )
        )
        items.append(
            BillItem(
                legacy_id=f"{lid}/2",
                bill_legacy_id=lid,
                position=2,
                code="VOICE",
                name="语音通话费",
                amount_fen=6_545 + i,
            )
        )
        for c in range(calls):
            records.append(
                CallRecord(
                    legacy_id=f"CR-{month}-{number}-{c}",
                    number=number,
                    started_at=dt.datetime(year, mon, 3 + c, 2, 30, tzinfo=UTC),
                    duration_s=61 + c,
                    called_number=f"1380000{c:04d}",
                    call_type="local",
                    charge_fen=30 + c,
                )
            )
    await Bill.insert(*bills)
    await BillItem.insert(*items)
    if records:
        await CallRecord.insert(*records)
    if synced:
        await mark_synced(now + dt.timedelta(seconds=1))


async def mark_synced(at: dt.datetime) -> None:
    await SyncState.insert(SyncState(kind="bills", last_run_at=at, last_success_at=at)).on_conflict(
        target=(SyncState.tenant, SyncState.kind),
        action="DO UPDATE",
        values=[SyncState.last_run_at, SyncState.last_success_at],
    )


def mails_to(sink, address: str) -> list:
    return [m for m in list(sink.messages) if address == (m["To"] or "")]


CHUNK = 4  # claim_chunk of mailing_hall: small, so a batch has many chunks to be killed in


def mailing_hall(hall_factory, subscribers: int):
    harness = hall_factory(
        [
            TenantSpec(
                "alpha", plugins=["billmail"], plugin_settings={"billmail": {"claim_chunk": CHUNK, "connections": 2}}
            )
        ]
    )
    tag = uuid.uuid4().hex[:8]
    numbers = [f"1380{n:07d}" for n in range(subscribers)]

    async def seed():
        await Subscription.insert(
            *[
                Subscription(number=number, account_id=0, email=f"kill-{tag}-{i}@example.com")
                for i, number in enumerate(numbers)
            ]
        )
        await seed_bills(numbers, MONTH, 2)

    harness.in_tenant("alpha", seed)
    return harness, tag
