"""A working day of upstream changes in the qianshan demo BSS: what the hall must pick up after its last sync.

``day_of_changes`` takes the BSS as it is (a generated one, or one a previous
day already changed) and applies the next day: counter and bank payments
settle bills, the clerks change addresses and a name, close a line and sign up
a new customer with an account, a prepaid line and a first top-up, the rating
batch re-rates a bill, the switch delivers a file of call records into the
current month's table, and balances move with all of it.

The day is the one after the latest change the BSS holds. The batch jobs stamp
late, as real ones do: payments, the bills they settle and the re-rated bill
carry the time the payment was taken, which is *before* the latest change
time of their table, the watermark a complete sync has already passed (within
the hall's default look-back of 120 minutes); so is one address change (the
time the clerk opened the form). A closed line bumps ``T_USER.UPDATE_TIME``
only, not its customer's. Deterministic for a seed and the database's content.
The summary names every change in the hall's terms (legacy ids, the numbers
customers type), so a test can check that a sync saw each one.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

import sqlalchemy as sa

from core.demo.legacy_db import DemoCustomer
from core.demo.qianshan import legacy_engine
from core.demo.qianshan_clock import parse_stamp
from core.demo.qianshan_day_steps import Day
from core.demo.qianshan_schema import metadata

__all__ = ["DayOfChanges", "day_of_changes"]
WATERMARKED = ("T_CUST", "T_ACCT", "T_USER", "T_ACCT_BILL", "T_ACCT_BALANCE")


@dataclass(frozen=True)
class DayOfChanges:
    """What one day changed (ids as the hall spells them; money in li, as the BSS holds it)."""

    day: dt.date
    watermarks: dict[str, str]  # table -> its latest UPDATE_TIME before the day (where a complete sync stood)
    payments: dict[str, str]  # PAY_SERIAL -> ACCT_ID (T_PAYLOG rows written)
    paid_bills: dict[str, int]  # BILL_ID -> BALANCE_PAID, now the whole FEE
    reopened_numbers: tuple[str, ...]  # lines suspended for debt, back in service once their account paid
    moved: dict[str, str]  # CUST_ID -> new POST_ADDR
    renamed: dict[str, str]  # CUST_ID -> new CUST_NAME (and PAY_NAME of the accounts that had the old one)
    closed_numbers: tuple[str, ...]  # lines closed (T_USER.REMOVE_TAG '1'), as numbers customers type
    new_customer: DemoCustomer
    new_accounts: tuple[str, ...]
    rerated_bills: dict[str, int]  # BILL_ID -> new FEE
    new_calls: tuple[
        str, ...
    ]  # "<yyyymm>-<CDR_ID>" of the new voice and SMS records (not the file's header and trailer)
    balances: dict[str, int]  # ACCT_ID -> BALANCE after the day, for every account whose balance moved
    late_stamped: dict[str, tuple[str, ...]] = field(default_factory=dict)  # table -> keys stamped before its watermark

    def lines(self) -> list[str]:
        """One line per kind of change, for the CLI."""
        return [
            f"day {self.day:%Y-%m-%d} (watermarks before it: "
            + ", ".join(f"{t} {w}" for t, w in self.watermarks.items())
            + ")",
            f"payments: {len(self.payments)} (T_PAYLOG), settling bills {', '.join(self.paid_bills)}",
            f"lines back in service after payment: {', '.join(self.reopened_numbers) or 'none'}",
            f"addresses changed: customers {', '.join(self.moved)}",
            f"names changed: customers {', '.join(self.renamed)}",
            f"lines closed: {', '.join(self.closed_numbers)}",
            f"new customer {self.new_customer.legacy_id} {self.new_customer.name}, account(s) "
            f"{', '.join(self.new_accounts)}, number(s) {', '.join(self.new_customer.numbers)}",
            f"bills re-rated: {', '.join(f'{b} to {li} li' for b, li in self.rerated_bills.items())}",
            f"call records: {len(self.new_calls)} new ({self.new_calls[0]} .. {self.new_calls[-1]})",
            f"balances changed: {len(self.balances)} accounts",
            "late-stamped (before the watermark): "
            + "; ".join(f"{t} {', '.join(keys)}" for t, keys in self.late_stamped.items()),
        ]


def day_of_changes(target, *, seed: int = 1, payments: int = 5, moves: int = 3, calls: int = 12) -> DayOfChanges:
    """Apply the next working day to the qianshan BSS at ``target`` (a SQLite path or a URL), in one transaction."""
    engine = legacy_engine(target)
    meta = metadata()
    try:
        with engine.begin() as conn:
            marks = {
                name: parse_stamp(conn.scalar(sa.select(sa.func.max(meta.tables[name].c.UPDATE_TIME))))
                for name in WATERMARKED
            }
            recv = conn.scalar(sa.select(sa.func.max(meta.tables["T_PAYLOG"].c.RECV_TIME)))
            latest = max([*marks.values(), parse_stamp(recv)] if recv else marks.values())
            day = Day(conn, meta, random.Random(seed), latest.date() + dt.timedelta(days=1), marks)
            day.pay_bills(payments)
            day.move(moves)
            renamed = day.rename()
            closed = day.close_line()
            customer, accounts = day.sign_up()
            rerated = day.rerate()
            new_calls = day.deliver_calls(calls)
            return DayOfChanges(
                day=day.day,
                watermarks={name: f"{moment:%Y%m%d%H%M%S}" for name, moment in marks.items()},
                payments=day.payments,
                paid_bills=day.paid_bills,
                reopened_numbers=tuple(day.reopened),
                moved=day.moved,
                renamed=renamed,
                closed_numbers=closed,
                new_customer=customer,
                new_accounts=accounts,
                rerated_bills=rerated,
                new_calls=new_calls,
                balances=day.balances,
                late_stamped={k: tuple(v) for k, v in day.late.items()},
            )
    finally:
        engine.dispose()
