"""Two tenants with the bills plugin, a customer each with two numbers, 14 months of bills with items and call records."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from core.api.legacy import Bill, BillItem, CallRecord
from core.api.testing import TenantSpec, add_operator, make_customer, register_customer

LAST = (2024, 5)
MONTHS = 14
ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")
# code, name, base fen; "GJF" (international) appears only in the last month, "DXF" (sms) stops before it
ITEMS = (("YZF", "月租费", 5800), ("SHF", "市话费", 1200), ("CTF", "长途通话费", 2730), ("DXF", "短信费", 300))
CALL_TYPES = ("local", "long_distance", "international", "sms", "data")


def month_list(count: int = MONTHS) -> list[str]:
    year, month = LAST
    out = []
    for _ in range(count):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return out


def items_for(month: str, index: int) -> list[tuple[str, str, int]]:
    """Index 0 is the latest month: 长途通话费 up by 1230 fen (+45%), 短信费 gone, 国际长途费 new."""
    out = []
    for code, name, base in ITEMS:
        amount = base + (1230 if code == "CTF" and index == 0 else 0) + (index * 7 if code == "SHF" else 0)
        if code == "DXF" and index == 0:
            continue
        out.append((code, name, amount))
    if index == 0:
        out.append(("GJF", "国际长途费", 990))
    return out


async def seed_number(number: str, prefix: str, calls_per_month: int = 30, months: int = MONTHS) -> None:
    """Bills for ``months`` months up to 2024-05 and call records for the last three (started_at in Shanghai time)."""
    bills, items, calls = [], [], []
    for index, month in enumerate(month_list(months)):
        lines = items_for(month, index)
        amount = sum(a for _, _, a in lines)
        legacy = f"{prefix}-{number}-{month}"
        status = "unpaid" if index == 0 else ("partial" if index == 1 else "paid")
        paid = 0 if index == 0 else (amount // 2 if index == 1 else amount)
        year, mon = int(month[:4]), int(month[5:])
        bills.append(
            Bill(
                legacy_id=legacy,
                number=number,
                month=month,
                amount_fen=amount,
                paid_fen=paid,
                status=status,
                due_date=dt.date(year + (mon == 12), mon % 12 + 1, 15),
            )
        )
        items += [
            BillItem(legacy_id=f"{legacy}/{p}", bill_legacy_id=legacy, position=p, code=c, name=n, amount_fen=a)
            for p, (c, n, a) in enumerate(lines)
        ]
        if index < 3:
            for i in range(calls_per_month):
                day = 1 + i % 28
                started = dt.datetime(year, mon, day, 8 + i % 12, i % 60, tzinfo=ZONE)
                calls.append(
                    CallRecord(
                        legacy_id=f"{legacy}/c{i}",
                        number=number,
                        started_at=started,
                        duration_s=30 + i * 11,
                        called_number=f"1380013{i:04d}" if i % 5 else f"=cmd|{i}",
                        call_type=CALL_TYPES[i % 5],
                        charge_fen=10 * (i % 7),
                    )
                )
    # the first and last instants of the month, to pin the boundaries: 2024-05-01 00:00 and 2024-05-31 23:59:59 local
    calls.append(
        CallRecord(
            legacy_id=f"{prefix}-{number}-edge1",
            number=number,
            started_at=dt.datetime(2024, 5, 1, tzinfo=ZONE),
            duration_s=1,
            called_number="02112345678",
            call_type="local",
            charge_fen=1,
        )
    )
    calls.append(
        CallRecord(
            legacy_id=f"{prefix}-{number}-edge2",
            number=number,
            started_at=dt.datetime(2024, 5, 31, 23, 59, 59, tzinfo=ZONE),
            duration_s=2,
            called_number="02187654321",
            call_type="local",
            charge_fen=2,
        )
    )
    calls.append(
        CallRecord(
            legacy_id=f"{prefix}-{number}-june",
            number=number,
            started_at=dt.datetime(2024, 6, 1, tzinfo=ZONE),
            duration_s=3,
            called_number="02100000000",
            call_type="local",
            charge_fen=3,
        )
    )
    await Bill.insert(*bills)
    await BillItem.insert(*items)
    await CallRecord.insert(*calls)


def build(hall_factory, **settings):
    """alpha (zh_CN) and beta (en), both with bills; a customer each with two numbers; an operator with the log permission."""
    spec = {"bills": settings} if settings else {}
    harness = hall_factory(
        [
            TenantSpec("alpha", plugins=["bills"], plugin_settings=spec),
            TenantSpec("beta", plugins=["bills"], language="en", plugin_settings=spec),
        ]
    )
    ids = {}
    for n, tid in enumerate(("alpha", "beta")):
        customer = make_customer(
            70 + n,
            email=f"bills-{tid}@example.com",
            numbers=(f"1390000{n}001", f"1390000{n}002"),
            phone=f"1390000{n}001",
        )
        account = register_customer(harness, tid, customer)
        harness.in_tenant(tid, link, account, customer.numbers[1].number)
        for number in (x.number for x in customer.numbers):
            harness.in_tenant(tid, seed_number, number, tid)
        ids[tid] = {
            "account": account,
            "numbers": [x.number for x in customer.numbers],
            "customer": customer,
            "auditor": add_operator(harness, tid, f"{tid}-auditor", permissions=["bills.access_log"]),
            "plain": add_operator(harness, tid, f"{tid}-plain", permissions=[]),
        }
    return harness, ids


async def link(account: int, number: str) -> None:
    from core.auth.tables import AccountNumber

    await AccountNumber.insert(AccountNumber(account=account, number=number))


def customer_client(harness, ids, tid="alpha", **kwargs):
    client = harness.client(tid, **kwargs)
    client.login_customer(ids[tid]["numbers"][0])
    return client
