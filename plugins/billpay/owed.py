"""What a service number owes: unpaid and partly paid bills, less what hall payments covered that the legacy side has not posted yet.

A bill's legacy ``paid_fen`` only grows once the legacy system has processed
the hall's write-back. Until then a sync may read the bill back as unpaid; the
hall's own record (:class:`BillPayment.paid_after_fen`, the paid amount the
bill will have once posted) keeps it "paid, being posted", so nobody pays twice.
A payment refunded in full no longer counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.api.legacy import Bill
from core.api.payments import PAID, REFUNDED, PaymentIntent
from plugins.billpay.tables import BillPayment

OPEN_STATUSES = ("unpaid", "partial")


@dataclass
class OwedBill:
    legacy_id: str
    number: str
    month: str
    amount_fen: int
    legacy_paid_fen: int  # what the legacy system says is paid
    hall_paid_fen: int  # what it will say once the hall's payments are posted (≥ legacy_paid_fen)
    due_date: object = None
    status: str = "unpaid"

    @property
    def owed_fen(self) -> int:
        return max(0, self.amount_fen - max(self.legacy_paid_fen, self.hall_paid_fen))

    @property
    def being_posted(self) -> bool:
        """Paid in the hall, not (fully) reflected by the legacy system yet."""
        return self.hall_paid_fen > self.legacy_paid_fen


@dataclass
class NumberOwed:
    number: str
    bills: list[OwedBill] = field(default_factory=list)

    @property
    def owed(self) -> list[OwedBill]:
        return [b for b in self.bills if b.owed_fen > 0]

    @property
    def total_fen(self) -> int:
        return sum(b.owed_fen for b in self.owed)

    @property
    def posting(self) -> list[OwedBill]:
        return [b for b in self.bills if b.being_posted and b.owed_fen == 0]


async def hall_paid(bill_ids: list[str]) -> dict[str, int]:
    """bill id → the largest paid amount a counted hall payment expects it to reach (payments refunded in full do not count)."""
    if not bill_ids:
        return {}
    rows = await BillPayment.select(
        BillPayment.bill_legacy_id, BillPayment.intent_id, BillPayment.paid_after_fen
    ).where(BillPayment.bill_legacy_id.is_in(bill_ids))
    if not rows:
        return {}
    states = {
        r["public_id"]: r["state"]
        for r in await PaymentIntent.select(PaymentIntent.public_id, PaymentIntent.state).where(
            PaymentIntent.public_id.is_in(sorted({r["intent_id"] for r in rows}))
        )
    }
    out: dict[str, int] = {}
    for r in rows:
        state = states.get(r["intent_id"])
        if state in PAID and state != REFUNDED:
            out[r["bill_legacy_id"]] = max(out.get(r["bill_legacy_id"], 0), int(r["paid_after_fen"]))
    return out


async def owed_for(numbers: list[str]) -> list[NumberOwed]:
    """The customer's numbers, each with its open bills (oldest month first) and those paid here but still being posted."""
    if not numbers:
        return []
    rows = (
        await Bill.select(
            Bill.legacy_id, Bill.number, Bill.month, Bill.amount_fen, Bill.paid_fen, Bill.status, Bill.due_date
        )
        .where(Bill.number.is_in(numbers) & Bill.status.is_in(list(OPEN_STATUSES)))
        .order_by(Bill.month)
    )
    expected = await hall_paid([r["legacy_id"] for r in rows])
    by_number = {n: NumberOwed(n) for n in numbers}
    for r in rows:
        by_number[r["number"]].bills.append(
            OwedBill(
                legacy_id=r["legacy_id"],
                number=r["number"],
                month=r["month"],
                amount_fen=int(r["amount_fen"]),
                legacy_paid_fen=int(r["paid_fen"]),
                hall_paid_fen=expected.get(r["legacy_id"], 0),
                due_date=r["due_date"],
                status=r["status"],
            )
        )
    return [by_number[n] for n in numbers]
