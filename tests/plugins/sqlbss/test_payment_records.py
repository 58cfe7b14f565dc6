"""The ``payment_records`` port of sqlbss: the BSS's payments table read by time range, in pages, in the hall's units."""

from __future__ import annotations

import asyncio
import datetime as dt
import zoneinfo

from payments_support import bss  # noqa: F401  (the fixture)

from core.api.legacy import LegacyPayment, PaymentRecordSource

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
DAY = (dt.datetime(2024, 3, 5, tzinfo=SHANGHAI), dt.datetime(2024, 3, 6, tzinfo=SHANGHAI))


def payment_event(n: int, paid_at: str, months: int = 1) -> tuple:
    bills = [
        {"bill_id": f"B{n}-{m}", "month": f"2024-0{m}", "amount_fen": 1000 * n + 100 * m} for m in range(1, months + 1)
    ]
    payload = {
        "intent_id": f"pi{n:028x}",
        "purpose": "bill",
        "amount_fen": sum(b["amount_fen"] for b in bills),
        "provider": "alipay",
        "paid_at": paid_at,
        "metadata": {"number": "13360875732", "bills": bills},
    }
    return (f"e-{n}", "payment.posted", payload)


def fill(bss) -> None:  # noqa: F811
    events = [
        payment_event(1, "2024-03-05T01:00:00+00:00", months=3),  # three rows in the same second
        payment_event(2, "2024-03-05T01:00:00+00:00"),
        payment_event(3, "2024-03-04T15:59:59+00:00"),  # 23:59:59 the day before: outside
        payment_event(4, "2024-03-05T15:59:59+00:00", months=2),  # 23:59:59 on the day: inside
        payment_event(5, "2024-03-05T16:00:00+00:00"),  # midnight: the next day
    ]

    async def go():
        connector = bss.connector()
        try:
            for event in events:
                await connector.write_event(*event)
        finally:
            await connector.close()

    asyncio.run(go())


def read_all(connector, limit: int) -> tuple[list[LegacyPayment], int]:
    async def go():
        rows, after, pages = [], "", 0
        while True:
            page = await connector.payments_between(*DAY, after, limit)
            rows += page.payments
            pages += 1
            if not page.next_after:
                return rows, pages
            after = page.next_after

    return asyncio.run(go())


def test_payments_between_pages_through_the_day_in_order(bss):  # noqa: F811
    fill(bss)
    connector = bss.connector()
    try:
        assert isinstance(connector, PaymentRecordSource)
        everything, pages = read_all(connector, 500)
        assert pages == 1
        assert len(everything) == 2 + 3 + 1 + 2  # the counter and bank rows, payments 1, 2 and 4
        assert [p.paid_at for p in everything] == sorted(p.paid_at for p in everything)
        assert all(DAY[0] <= p.paid_at < DAY[1] for p in everything)
        keys = [(p.paid_at, p.legacy_id) for p in everything]
        assert keys == sorted(keys)  # (paid_at, key): ties in one second keep a total order
        for limit in (1, 2, 3, 7, 8):
            paged, pages = read_all(connector, limit)
            assert paged == everything, limit
            assert pages == len(everything) // limit + 1
    finally:
        asyncio.run(connector.close())
    hall = [p for p in everything if p.reference.startswith("pi")]
    first = [p for p in hall if p.reference == f"pi{1:028x}"]
    assert sorted((p.month, p.amount_fen) for p in first) == [("2024-01", 1100), ("2024-02", 1200), ("2024-03", 1300)]
    assert {(p.account, p.number, p.channel) for p in hall} == {("JN00000001", "13360875732", "alipay")}
    [counter] = [p for p in everything if p.channel == "counter"]
    assert (counter.legacy_id, counter.amount_fen, counter.month, counter.reference) == (
        "GT2024030500000001",
        5000,
        "2024-02",
        "现金",
    )
    assert counter.paid_at == dt.datetime(2024, 3, 5, 9, 30, tzinfo=SHANGHAI)
    assert [p.problem for p in everything] == [""] * len(everything)


def test_yuan_decimal_amounts_read_the_same(bss):  # noqa: F811
    fill(bss)
    jiao, yuan = bss.connector(), bss.connector(payment_records={"amount": "JEY", "amount_format": "yuan_decimal"})
    try:
        assert [p.amount_fen for p in read_all(yuan, 3)[0]] == [p.amount_fen for p in read_all(jiao, 500)[0]]
    finally:
        asyncio.run(jiao.close())
        asyncio.run(yuan.close())


def test_values_that_do_not_convert_are_problems_and_hall_check_names_them(bss):  # noqa: F811
    wrong = bss.connector(payment_records={"amount_format": "yuan_text", "channel_map": {"01": "counter"}})
    try:
        rows, _ = read_all(wrong, 500)
        assert rows and all("connector.payment_records.amount_format" in p.problem for p in rows)
        found = {i.key: i.reason for i in asyncio.run(wrong.problems())}
        assert "does not parse as 'yuan_text'" in found["connector.payment_records.amount_format"]
        assert "'02'" in found["connector.payment_records.channel_map"]
        assert "connector.payment_records.reference" not in found  # BZ holds 40 characters
        short_reference = bss.connector(payment_records={"reference": "CZY"})
        short = {i.key: i.reason for i in asyncio.run(short_reference.problems())}
        asyncio.run(short_reference.close())
        assert (
            "holds 10 characters; the hall's payment and refund ids have 30"
            in short["connector.payment_records.reference"]
        )
    finally:
        asyncio.run(wrong.close())


def test_where_not_leaves_rows_out(bss):  # noqa: F811
    """A reversed or otherwise excluded row (here: the bank's, channel 02) is not read, as in every section."""
    every, _ = read_all(bss.connector(), 50)
    kept, _ = read_all(bss.connector(payment_records={"where_not": {"QD": "02"}}), 50)
    assert "YH2024030500000002" in {p.legacy_id for p in every}
    assert {p.legacy_id for p in kept} == {p.legacy_id for p in every} - {"YH2024030500000002"}
    only, _ = read_all(bss.connector(payment_records={"where": {"QD": "02"}}), 50)
    assert [p.legacy_id for p in only] == ["YH2024030500000002"]
