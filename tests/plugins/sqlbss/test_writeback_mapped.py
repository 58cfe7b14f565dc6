"""Write-back by mapping: outbox events become rows of the BSS's own payments table, once, on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import asyncio
import datetime as dt
import decimal

import pytest
from payments_support import ACCOUNT, NUMBER, bss  # noqa: F401  (the fixture)

from core.api.legacy import UnmappedEvent
from plugins.sqlbss.writeback_rows import TargetWriter
from plugins.sqlbss.writeback_values import hash_digits

PAID_AT = "2024-03-05T02:30:00+00:00"  # 10:30 in Shanghai
BILLS = [
    {"bill_id": "B1", "month": "2024-01", "amount_fen": 5830, "paid_before_fen": 0},
    {"bill_id": "B2", "month": "2024-02", "amount_fen": 6000, "paid_before_fen": 0},
    {"bill_id": "B3", "month": "2024-03", "amount_fen": 7250, "paid_before_fen": 1000},
]


def posted(intent="pi" + "1" * 28, bills=BILLS, purpose="bill", provider="alipay", **extra) -> dict:
    return {
        "intent_id": intent,
        "purpose": purpose,
        "owner": "billpay",
        "reference": "",
        "customer_id": ACCOUNT,
        "amount_fen": sum(b["amount_fen"] for b in bills),
        "currency": "CNY",
        "provider": provider,
        "provider_ref": "T1",
        "paid_at": PAID_AT,
        "metadata": {"number": NUMBER, "bills": bills, **extra},
    }


def hall_rows(bss):  # noqa: F811
    return bss.rows("CZY = 'WT' OR LX <> 'JF'")


def write(connector, *events):
    async def go():
        try:
            for event in events:
                await connector.write_event(*event)
        finally:
            await connector.close()

    asyncio.run(go())


def test_a_bill_payment_of_three_months_writes_three_rows(bss):  # noqa: F811
    write(bss.connector(), ("e-1", "payment.posted", posted()))
    rows = hall_rows(bss)
    assert [(r["YF"], r["JE"], r["XH"]) for r in sorted(rows, key=lambda r: r["XH"])] == [
        ("202401", 583, 1),
        ("202402", 600, 2),
        ("202403", 725, 3),
    ]
    for n, row in enumerate(sorted(rows, key=lambda r: r["XH"]), 1):
        assert row["LSH"] == f"WT20240305{hash_digits('e-1', n, 10)}"  # deterministic: the same on every retry
        assert decimal.Decimal(str(row["JEY"])) == decimal.Decimal(BILLS[n - 1]["amount_fen"]) / 100
        assert (row["ZH"], row["HM"], row["QD"], row["JFSJ"], row["CZY"], row["LX"]) == (
            ACCOUNT,  # looked up in YW_HMXX by the number
            NUMBER,
            "12",  # alipay, through the map
            "20240305103000",  # local time as text
            "WT",
            "JF",
        )
        assert row["BZ"] == "pi" + "1" * 28


def test_replaying_an_event_writes_nothing_more(bss):  # noqa: F811
    event = ("e-1", "payment.posted", posted())
    write(bss.connector(), event, event)
    write(bss.connector(), event)  # after a restart too
    assert len(hall_rows(bss)) == 3


def test_concurrent_duplicates_write_each_row_once(bss):  # noqa: F811
    event = ("e-1", "payment.posted", posted())

    async def both():
        a, b = bss.connector(), bss.connector()
        try:
            await asyncio.gather(a.write_event(*event), b.write_event(*event), a.write_event(*event))
        finally:
            await a.close()
            await b.close()

    asyncio.run(both())
    assert len(hall_rows(bss)) == 3


def test_a_duplicate_inserted_between_check_and_insert_is_read_as_already_there(bss, monkeypatch):  # noqa: F811
    """The unique index catches the other worker's row; the connector rolls back, finds every row, and succeeds."""
    other = bss.connector()
    original = TargetWriter._there
    raced = []

    def there(self, table, values):
        if not raced:  # the first look: meanwhile another worker writes the whole event
            raced.append(True)
            other._in_connection(lambda conn: other._write_rows(conn, self_event))
            return False
        return original(self, table, values)

    from plugins.sqlbss.writeback_values import Event

    self_event = Event("e-1", "payment.posted", posted(), dt.datetime.now(dt.timezone.utc))
    monkeypatch.setattr(TargetWriter, "_there", there)
    write(bss.connector(), ("e-1", "payment.posted", posted()))
    asyncio.run(other.close())
    assert raced and len(hall_rows(bss)) == 3


def test_a_refund_writes_its_negative_row_once(bss):  # noqa: F811
    refund = {
        **posted(),
        "refund_id": "rf" + "2" * 28,
        "amount_fen": 6000,
        "refunded_at": "2024-03-06T01:00:00+00:00",
    }
    write(bss.connector(), ("e-1", "payment.posted", posted()), ("r-1", "payment.refunded", refund))
    write(bss.connector(), ("r-1", "payment.refunded", refund))
    [row] = bss.rows("LX = 'TF'")
    assert (row["JE"], decimal.Decimal(str(row["JEY"])), row["JFSJ"], row["BZ"]) == (
        -600,
        decimal.Decimal("-60"),
        "20240306090000",
        "rf" + "2" * 28,
    )
    assert row["LSH"] == f"TF20240306{hash_digits('r-1', 1, 10)}"


def test_a_topup_goes_to_the_second_target_and_unmapped_events_wait(bss):  # noqa: F811
    topup = posted(intent="pi" + "3" * 28, bills=[], purpose="topup", provider="wechat", account="JN00000009")
    topup["amount_fen"] = 10000
    write(bss.connector(), ("t-1", "payment.posted", topup))
    [row] = bss.rows("LX = 'CZ'")
    assert (row["ZH"], row["JE"], row["QD"], row["YF"]) == ("JN00000009", 1000, "13", None)

    connector = bss.connector()
    with pytest.raises(UnmappedEvent, match="no target of payment.posted takes this event"):
        write(connector, ("o-1", "payment.posted", posted(purpose="renewal")))
    with pytest.raises(UnmappedEvent, match=r'no \[connector.writeback.events."order.placed"\]'):
        write(bss.connector(), ("o-2", "order.placed", {"product": 7}))
    assert len(bss.rows()) == 2 + 1  # the counter rows and the top-up


def test_a_value_that_does_not_fit_fails_the_event_and_writes_nothing(bss):  # noqa: F811
    bad = [*BILLS[:2], {"bill_id": "B9", "month": "2024-04", "amount_fen": 1005}]  # 100.5 jiao
    with pytest.raises(ValueError, match=r"columns\.je: 1005 fen is not a whole number of jiao"):
        write(bss.connector(), ("e-9", "payment.posted", posted(bills=bad)))
    with pytest.raises(ValueError, match=r"columns\.zh: payload.metadata.number found nothing in YW_HMXX.HM"):
        write(
            bss.connector(),
            ("e-8", "payment.posted", posted(bills=BILLS[:1]) | {"metadata": {"number": "1", "bills": BILLS[:1]}}),
        )
    assert hall_rows(bss) == []  # all of an event or none of it
