"""A month that also holds bills of whole accounts (合账: number "", items naming the numbers) mails as before."""

from __future__ import annotations

import datetime as dt

from billmail_support import MONTH, mails_to, mark_synced, seed_bills
from test_sending import run_tick, sends, subscribe

from core.api.legacy import Bill, BillItem
from plugins.billmail.tables import Batch


async def seed_account_bill(month: str, numbers: list[str]) -> None:
    lid = f"ACCT-{month}"
    await Bill.insert(
        Bill(legacy_id=lid, number="", account_legacy_id="ACC1", month=month, amount_fen=9_000, status="unpaid")
    )
    await BillItem.insert(
        *[
            BillItem(
                legacy_id=f"{lid}/{i}",
                bill_legacy_id=lid,
                position=i,
                code="YZF",
                name="月租费",
                amount_fen=4_500,
                number=n,
            )
            for i, n in enumerate(numbers)
        ]
    )


def test_account_bills_next_to_number_bills_do_not_disturb_the_batch(world, mail_sink):
    harness, people = world
    me = people["alpha"]
    subscribe(harness, "alpha", people)
    harness.in_tenant("alpha", seed_account_bill, MONTH, [me["number"], "13800000999"])
    harness.in_tenant("alpha", seed_bills, [me["number"]], MONTH, 1)
    run_tick(harness, "alpha")
    assert [(s["number"], s["state"]) for s in sends(harness, "alpha")] == [(me["number"], "sent")]
    assert len(mails_to(mail_sink, me["email"])) == 1


def test_a_month_of_account_bills_only_makes_an_empty_batch_without_error(world, mail_sink):
    harness, people = world
    subscribe(harness, "alpha", people)
    harness.in_tenant("alpha", seed_account_bill, MONTH, [people["alpha"]["number"]])
    harness.in_tenant("alpha", mark_synced, dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=1))
    run_tick(harness, "alpha")
    batches = harness.in_tenant("alpha", lambda: Batch.select())
    assert [(b["month"], b["total"]) for b in batches] == [(MONTH, 0)] and sends(harness, "alpha") == []
