"""Ports for money the BSS holds: account balances and its own payment records (split from ports.py).

Same rules as every port (core/legacy/ports.py): hall units - integer fen, aware datetimes - and
``runtime_checkable`` protocols, so ``isinstance(connector, BalanceSource)`` says whether a connector offers one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class LegacyBalance:
    """An account's balance (余额) as the BSS holds it now, in fen.

    Positive is money the customer has with the operator (prepaid credit or an
    overpayment), negative is money owed. ``as_of`` is when the BSS computed it
    (its own stamp where it has one, else the time of the look-up), shown to
    customers as "data as of".
    """

    account: str
    balance_fen: int
    as_of: dt.datetime
    billing: str = "postpaid"  # postpaid | prepaid
    problem: str = ""


@runtime_checkable
class BalanceSource(Protocol):
    """Account balances, looked up live (the hall caches them briefly in its database)."""

    async def balance_of(self, account: str) -> LegacyBalance | None:
        """The balance of the account with this legacy_id (for BSSs without accounts: the number), or None."""
        ...


@dataclass(frozen=True)
class LegacyPayment:
    """A payment record from the BSS's own payments table (counter, bank, the hall's write-back...), in hall units.

    ``reference`` is the hall's id when the row was written back by the hall
    (the outbox event id or the payment intent id, as the mapping says), so
    reconciliation can pair it with the hall's ledger; "" for payments made elsewhere.
    """

    legacy_id: str  # the BSS's serial number
    account: str
    number: str
    amount_fen: int
    paid_at: dt.datetime | None
    month: str = ""  # the bill month paid, YYYY-MM; "" for a top-up
    channel: str = ""
    reference: str = ""
    problem: str = ""


@dataclass(frozen=True)
class PaymentRecordPage:
    payments: list[LegacyPayment]
    next_after: str  # pass back as ``after``; "" after the last page


@runtime_checkable
class PaymentRecordSource(Protocol):
    """The BSS's payment records, for reconciliation of gateway, hall ledger and BSS."""

    async def payments_between(
        self, start: dt.datetime, end: dt.datetime, after: str = "", limit: int = 500
    ) -> PaymentRecordPage:
        """Payments with ``start <= paid_at < end`` ordered by (paid_at, legacy_id), after the position ``after``."""
        ...
