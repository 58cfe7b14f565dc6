"""Bills, payments and balances of the qianshan demo BSS, as rows (T_BILL_CYCLE, T_ACCT_BILL, T_BILL_DETAIL, T_PAYLOG, T_ACCT_BALANCE).

One bill per account and month (``CYCLE_ID``, looked up in ``T_BILL_CYCLE``),
its items per line (``USER_ID``) and charge (``ITEM_CODE``): the product's
monthly fee, the month's call charges by kind, now and then a discount (a
negative item). Items sum to the bill; all money is in li (厘), whole fen.

Prepaid accounts' bills are paid from the balance at the bill run. Postpaid
bills are paid at the counter, at a bank or by direct debit: each paid (or
partly paid) bill has its ``T_PAYLOG`` row in yuan, and the settlement stamps
the bill with the payment's time. Accounts in debt keep their last two bills
unpaid, and a few old unpaid bills carry a reversed (``REMOVE_TAG '1'``) debit
that bounced. Balances: prepaid credit (a few slightly negative), postpaid
minus what is owed.
"""

from __future__ import annotations

import datetime as dt
import decimal
import random
from dataclasses import dataclass, field

from core.demo.era import Month, add_months, month_start
from core.demo.qianshan_clock import bill_run, current_month, due_day, parse_stamp, stamp
from core.demo.qianshan_people import Account, Customer, User
from core.demo.qianshan_schema import (
    CYCLE_STATE,
    ITEM_OF_CALL,
    PAY_CHANNEL,
    PAY_TAG,
    PRODUCTS,
    REMOVE_TAG,
    cycle_id,
)

BILL_BASE = 510_300_000_000
MONTH_FEE = {product: fee for product, _, _, fee in PRODUCTS}
DISCOUNT_LI = -5000


def yuan(li: int) -> decimal.Decimal:
    """An amount in li as the yuan of T_PAYLOG.RECV_FEE (whole fen only)."""
    return (decimal.Decimal(li) / 1000).quantize(decimal.Decimal("0.01"))


def cycle_rows(first: Month, end_month: Month) -> list[dict]:
    """Cycles from six months before ``first`` to the end of the current month's year (made in advance)."""
    rows, month, last = [], add_months(first, -6), (current_month(end_month)[0], 12)
    while month <= last:
        start = month_start(month)
        rows.append(
            {
                "CYCLE_ID": cycle_id(month),
                "CYCLE_MONTH": f"{month[0]}{month[1]:02d}",
                "START_DATE": f"{start:%Y%m%d}",
                "END_DATE": f"{month_start(add_months(month, 1)) - dt.timedelta(days=1):%Y%m%d}",
                "DUE_DATE": f"{due_day(month):%Y%m%d}",
                "CYCLE_STATE": CYCLE_STATE["billed" if month <= end_month else "open"],
            }
        )
        month = add_months(month, 1)
    return rows


@dataclass
class Ledger:
    """What the billing writes, as rows per table, and the counters that number them."""

    bills: list[dict] = field(default_factory=list)
    details: list[dict] = field(default_factory=list)
    payments: list[dict] = field(default_factory=list)
    balances: list[dict] = field(default_factory=list)
    serial: int = 0

    def pay_serial(self, when: dt.datetime) -> str:
        self.serial += 1
        return f"QS{when:%Y%m%d}{self.serial:08d}"


def payment_row(
    ledger: Ledger,
    rng: random.Random,
    acct_id: int,
    area: str,
    cycle: int | None,
    li: int,
    when: dt.datetime,
    channel: str,
    removed: bool = False,
) -> dict:
    """A T_PAYLOG row as the BSS writes one for a counter, bank, debit or third-party payment.

    A counter payment has the clerk's ``STAFF_ID``; the others the bank's or the payment company's reference.
    """
    staff = f"Q{area}{rng.randrange(1, 40):03d}" if channel == "counter" else None
    outer = {
        "bank": f"ICBC{when:%Y%m%d}{rng.randrange(10**8):08d}",
        "debit": f"DK{when:%y%m%d}{rng.randrange(10**10):010d}",
        "third_party": f"2088{when:%Y%m%d}{rng.randrange(10**12):012d}",
    }.get(channel)
    row = {
        "PAY_SERIAL": ledger.pay_serial(when),
        "ACCT_ID": acct_id,
        "CYCLE_ID": cycle,
        "RECV_FEE": yuan(li),
        "PAY_CHANNEL": PAY_CHANNEL[channel],
        "STAFF_ID": staff,
        "RECV_TIME": stamp(when),
        "OUTER_TRADE_ID": outer,
        "REMOVE_TAG": REMOVE_TAG["removed" if removed else "kept"],
    }
    ledger.payments.append(row)
    return row


def opening_hours(rng: random.Random, when: dt.datetime) -> dt.datetime:
    """A moment in the counters' opening hours (08:00-17:00) on the day of ``when``."""
    return when.replace(hour=8 + rng.randrange(9), minute=rng.randrange(60), second=rng.randrange(60))


def _billable(user: User, month: Month) -> bool:
    return not user.removed and dt.datetime.combine(user.opened, dt.time()) < month_start(add_months(month, 1))


def _items(rng: random.Random, users: list[User], charges: dict) -> list[tuple[int, int, int]]:
    """(USER_ID, ITEM_CODE, FEE li) of one account's bill."""
    items = []
    for user in users:
        own = [(1001, MONTH_FEE[user.product_id])] + sorted(charges.get(user.user_id, {}).items())
        if sum(fee for _, fee in own) > 10 * -DISCOUNT_LI and rng.random() < 0.1:
            own.append((9001, DISCOUNT_LI))
        items += [(user.user_id, code, fee) for code, fee in own if fee]
    return items


def _status(rng: random.Random, account: Account, month: Month, end_month: Month) -> str:
    if account.prepaid:
        return "paid"
    if account.in_debt and month >= add_months(end_month, -1):
        return "unpaid"
    weights = (20, 76, 4) if month == end_month else (92, 5, 3)
    return rng.choices(("paid", "unpaid", "partial"), weights)[0]


def bill_month(
    ledger: Ledger,
    rng: random.Random,
    customers: list[Customer],
    month: Month,
    end_month: Month,
    now: dt.datetime,
    charges: dict,
) -> None:
    """Bills, items and payments of ``month`` (``charges``: USER_ID -> ITEM_CODE -> li from the month's calls)."""
    made = bill_run(month)
    due = dt.datetime.combine(due_day(month), dt.time(17, 0))
    for customer in customers:
        for account in customer.accounts:
            users = [u for u in account.users if _billable(u, month)]
            if not users:
                continue
            bill_id = BILL_BASE + len(ledger.bills) + 1
            items = _items(rng, users, charges)
            fee = sum(li for _, _, li in items)
            status = _status(rng, account, month, end_month)
            paid = {"paid": fee, "unpaid": 0, "partial": fee // 20 * 10}[status]
            changed = made
            if paid and not account.prepaid:
                latest = min(due, now - dt.timedelta(hours=1))
                when = made + dt.timedelta(seconds=rng.randrange(int((latest - made).total_seconds())))
                channel = rng.choices(("counter", "bank", "debit"), (45, 35, 20))[0]
                when = opening_hours(rng, when) if channel == "counter" else when
                row = payment_row(ledger, rng, account.acct_id, customer.area, cycle_id(month), paid, when, channel)
                changed = parse_stamp(row["RECV_TIME"])  # the settlement stamps the bill with the payment's time
            elif status == "unpaid" and month < end_month and rng.random() < 0.5:
                payment_row(
                    ledger, rng, account.acct_id, customer.area, cycle_id(month), fee, due, "debit", removed=True
                )
            ledger.bills.append(
                {
                    "BILL_ID": bill_id,
                    "ACCT_ID": account.acct_id,
                    "CYCLE_ID": cycle_id(month),
                    "FEE": fee,
                    "BALANCE_PAID": paid,
                    "PAY_TAG": PAY_TAG[status],
                    "UPDATE_TIME": stamp(changed),
                }
            )
            for user_id, code, li in items:
                ledger.details.append(
                    {
                        "DETAIL_ID": len(ledger.details) + 1,
                        "BILL_ID": bill_id,
                        "USER_ID": user_id,
                        "ITEM_CODE": code,
                        "FEE": li,
                    }
                )


def charges_of(records: list[tuple[User, dict]]) -> dict:
    """USER_ID -> ITEM_CODE -> li, summed over a month's call records."""
    out: dict = {}
    for user, row in records:
        item = ITEM_OF_CALL[row["CALL_TYPE"]]
        per_user = out.setdefault(user.user_id, {})
        per_user[item] = per_user.get(item, 0) + row["FEE_LI"]
    return out


def top_ups_and_balances(
    ledger: Ledger, rng: random.Random, customers: list[Customer], first: Month, end_month: Month, now: dt.datetime
) -> None:
    """Prepaid accounts' top-ups over the billed months, and every account's balance."""
    start = month_start(first)
    owed: dict[int, int] = {}
    for bill in ledger.bills:
        owed[bill["ACCT_ID"]] = owed.get(bill["ACCT_ID"], 0) + bill["FEE"] - bill["BALANCE_PAID"]
    last_paid: dict[int, str] = {}
    for p in ledger.payments:
        if p["REMOVE_TAG"] == REMOVE_TAG["kept"]:
            last_paid[p["ACCT_ID"]] = max(last_paid.get(p["ACCT_ID"], ""), p["RECV_TIME"])
    for customer in customers:
        for account in customer.accounts:
            if account.prepaid and not account.removed:
                for _ in range(rng.randrange(1, 4)):
                    when = start + dt.timedelta(seconds=rng.randrange(int((now - start).total_seconds()) - 3600))
                    channel = rng.choice(("counter", "third_party"))
                    when = opening_hours(rng, when) if channel == "counter" else when
                    li = rng.choice((30, 50, 100, 200)) * 1000
                    payment_row(ledger, rng, account.acct_id, customer.area, None, li, when, channel)
                balance = rng.randrange(0, 30000) * 10 if rng.random() > 0.06 else -rng.randrange(100, 2000) * 10
                changed = now - dt.timedelta(seconds=rng.randrange(3 * 86400))
            elif account.removed:
                balance, changed = 0, account.changed
            else:
                balance = -owed.get(account.acct_id, 0)
                if not balance and rng.random() < 0.05:
                    balance = rng.randrange(1, 500) * 10  # paid a little too much
                paid = last_paid.get(account.acct_id)
                changed = max(bill_run(end_month), parse_stamp(paid) if paid else start)
            ledger.balances.append({"ACCT_ID": account.acct_id, "BALANCE": balance, "UPDATE_TIME": stamp(changed)})
