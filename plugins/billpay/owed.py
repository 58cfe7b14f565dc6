"""What a service number or a billing account owes: unpaid and partly paid bills, less what hall payments covered that the
legacy side has not posted yet. An account billed as a whole (合账) owes its own bills (number "") and its numbers'.

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
    """What one payer owes: a service number (its own account), or a billing account (合账: ``account`` set, ``number`` "")."""

    number: str
    bills: list[OwedBill] = field(default_factory=list)
    account: str = ""  # the account's legacy id when the card is a whole account's; "" for a number
    numbers: tuple[str, ...] = ()  # the account's numbers
    name: str = ""  # the account's name

    @property
    def key(self) -> str:
        """What the pay form names: the number, or the account."""
        return self.number or self.account

    @property
    def label(self) -> str:
        """How messages name the payer."""
        return self.number or " ".join(x for x in (self.name, self.account) if x)

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
    return await owed_for_payers([NumberOwed(n) for n in numbers])


async def owed_for_payers(payers: list[NumberOwed]) -> list[NumberOwed]:
    """``payers`` (numbers, and accounts with their numbers) filled with their open bills: one query for all of them.

    A number's bills go to the payer that names it (its own card, or its account's); an account's own
    bills (number "") to the account.
    """
    numbers = {n: p for p in payers for n in ((p.number,) if p.number else p.numbers)}
    accounts = {p.account: p for p in payers if p.account and not p.number}
    if not numbers and not accounts:
        return payers
    wanted = Bill.number.is_in(list(numbers)) if numbers else None
    if accounts:
        own = Bill.account_legacy_id.is_in(list(accounts)) & (Bill.number == "")
        wanted = own if wanted is None else wanted | own
    rows = (
        await Bill.select(
            Bill.legacy_id,
            Bill.number,
            Bill.account_legacy_id,
            Bill.month,
            Bill.amount_fen,
            Bill.paid_fen,
            Bill.status,
            Bill.due_date,
        )
        .where(wanted & Bill.status.is_in(list(OPEN_STATUSES)))
        .order_by(Bill.month)
        .order_by(Bill.number)
    )
    expected = await hall_paid([r["legacy_id"] for r in rows])
    for r in rows:
        payer = numbers.get(r["number"]) if r["number"] else accounts.get(r["account_legacy_id"])
        if payer is None:
            continue
        payer.bills.append(
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
    return payers
