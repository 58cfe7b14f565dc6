"""Ports: what the hall may ask of a tenant's legacy system, split by need.

A connector implements the ports it supports. A plugin declares the ports it
needs through the ``required_ports`` hook; start-up fails, naming tenant and
port, when a tenant enables a plugin whose port its connector lacks. Ports are
``runtime_checkable`` protocols, so ``isinstance(connector, CustomerSource)``
tells whether a connector offers one.

Rows cross the seam as plain dataclasses with the hall's own units: money in
integer fen, times as aware datetimes. Converting the legacy system's names and
formats is the connector's job (for ``sqlbss``: mapping in tenant.toml).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol, runtime_checkable

from core.legacy.ports_money import (  # noqa: F401  (re-exported: ports are imported from here)
    BalanceSource,
    LegacyBalance,
    LegacyPayment,
    PaymentRecordPage,
    PaymentRecordSource,
)


ACCOUNT_BILLING = ("postpaid", "prepaid")


@dataclass(frozen=True)
class LegacyAccount:
    """A billing account (账户): it pays, holds the balance and receives the bill, and may cover several numbers (合账).

    ``customer_id`` is the owner's ``legacy_id``; ``billing`` is postpaid or prepaid.
    A connector whose BSS has no account tier hands none: the hall then treats
    each number as its own account (``LegacyServiceNumber.account`` is "").
    """

    legacy_id: str
    customer_id: str
    name: str = ""  # the account's name on the bill (often the customer's name)
    billing: str = "postpaid"  # postpaid | prepaid
    status: str = "active"  # active | suspended | closed


@dataclass(frozen=True)
class LegacyServiceNumber:
    number: str
    kind: str = "phone"  # phone | account | broadband
    status: str = "active"
    account: str = ""  # the paying account's legacy_id; "" when the BSS has no account tier


@dataclass(frozen=True)
class LegacyCustomer:
    """A customer record as the legacy system holds it, already converted to the hall's formats."""

    legacy_id: str
    name: str
    id_number: str  # the full 18-digit number: hashed and masked on arrival, never stored
    email: str = ""
    phone: str = ""
    address: str = ""
    status: str = "active"
    changed_at: dt.datetime | None = None
    numbers: tuple[LegacyServiceNumber, ...] = field(default_factory=tuple)
    accounts: tuple[LegacyAccount, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class CustomerBatch:
    customers: list[LegacyCustomer]
    watermark: str  # opaque to the hall; handed back on the next call


@runtime_checkable
class CustomerSource(Protocol):
    """Customers and their service numbers."""

    async def customers_changed_since(self, watermark: str, limit: int) -> CustomerBatch:
        """Customers changed after ``watermark`` ("" = from the start), oldest first, at most ``limit``."""
        ...

    async def customer_by_number(self, number: str) -> LegacyCustomer | None:
        """Live look-up of the customer owning ``number`` (used when sign-up meets a number not yet synced)."""
        ...


@dataclass(frozen=True)
class LegacyBillItem:
    code: str
    name: str
    amount_fen: int
    number: str = ""  # the service number this charge is for, where the BSS says so (a combined bill's share)


@dataclass(frozen=True)
class LegacyBill:
    """A monthly bill with its line items, in the hall's units (integer fen, month ``YYYY-MM``).

    ``problem`` is set by the connector when it could not convert the row (an
    unparseable value, naming key, table, column and the value); the sync
    quarantines such a row instead of storing it.
    """

    legacy_id: str
    number: str  # "" for a bill of a whole account (合账): then ``account`` is set and the items name the numbers
    month: str  # YYYY-MM
    amount_fen: int
    paid_fen: int = 0
    status: str = "unpaid"  # unpaid | partial | paid
    due_date: dt.date | None = None
    changed_at: dt.datetime | None = None
    items: tuple[LegacyBillItem, ...] = field(default_factory=tuple)
    problem: str = ""
    account: str = ""  # the billed account's legacy_id; "" when the BSS bills per number


@dataclass(frozen=True)
class BillBatch:
    bills: list[LegacyBill]
    watermark: str  # opaque to the hall


@runtime_checkable
class BillingSource(Protocol):
    """Monthly bills with their line items."""

    async def bills_changed_since(self, watermark: str, limit: int) -> BillBatch:
        """Bills changed after ``watermark`` ("" = from the start), oldest first, at most ``limit``."""
        ...

    async def bills_by_ids(self, legacy_ids: list[str]) -> list[LegacyBill]:
        """The bills with these legacy ids as they are now (re-trying quarantined rows); unknown ids are left out."""
        ...


class LegacyCallRecord(NamedTuple):
    """One call-detail record; ``call_type`` is local | long_distance | international | roaming | data | sms.

    A NamedTuple, not a frozen dataclass like the other rows: a sync builds a million of
    them, and a frozen dataclass costs ~0.85 µs to build against ~0.2 µs. Just as immutable.
    """

    legacy_id: str
    number: str
    started_at: dt.datetime | None
    duration_s: int
    called_number: str
    call_type: str
    charge_fen: int
    problem: str = ""  # as for LegacyBill


@dataclass(frozen=True)
class CallBatch:
    calls: list[LegacyCallRecord]
    watermark: str  # opaque to the hall


@runtime_checkable
class CallRecordSource(Protocol):
    """Call-detail records, read after a watermark (an increasing key or a change time)."""

    async def calls_after(self, watermark: str, limit: int) -> CallBatch:
        """Call records after ``watermark`` ("" = from the start of the connector's window), at most ``limit``."""
        ...

    async def calls_by_ids(self, legacy_ids: list[str]) -> list[LegacyCallRecord]:
        """The call records with these legacy ids as they are now; unknown ids are left out."""
        ...


class UnmappedEvent(Exception):
    """Raised by :meth:`LegacyWriter.write_event` for an event the connector has nowhere to write (no mapping for
    its kind, no inbox). Not the event's failure: the outbox keeps it pending, without counting an attempt, with
    this message as its last error, and offers it again later - once the mapping says where it goes, it goes."""


@runtime_checkable
class LegacyWriter(Protocol):
    """Changes the hall pushes to the legacy system (payments posted, service orders, account changes): the outbox."""

    async def write_event(self, event_id: str, kind: str, payload: dict) -> None:
        """Apply one outbox event. Idempotent by ``event_id``: writing an event id seen before has no second effect.

        Raise ``ConnectionError`` (or ``TimeoutError``) when the legacy system
        cannot be reached, :class:`UnmappedEvent` when nothing says where events
        like this one go, any other exception when it refuses this event.
        """
        ...


@dataclass(frozen=True)
class LegacyServiceLine:
    """A service line (or account) in detail: what plugins for long-distance opening/stopping or dial-up accounts need.

    ``kind`` and ``status`` use the hall's codes (as :class:`LegacyServiceNumber`);
    ``customer_id`` is the owner's ``legacy_id``. ``problem`` is set, as for
    :class:`LegacyBill`, when a value did not convert (naming key, table, column, value).
    """

    number: str
    customer_id: str
    kind: str = "phone"  # phone | account | broadband
    status: str = "active"  # active | suspended | closed
    tariff_code: str = ""
    tariff_name: str = ""
    monthly_fee_fen: int = 0
    opened: dt.date | None = None
    long_distance: bool = False  # domestic long-distance calls enabled
    international: bool = False  # international calls enabled
    problem: str = ""


@runtime_checkable
class ServiceLineSource(Protocol):
    """Service lines and accounts with tariff, opening date and service features, looked up live."""

    async def line_by_number(self, number: str) -> LegacyServiceLine | None:
        """The line with this number, or None."""
        ...

    async def lines_of_customer(self, legacy_id: str) -> list[LegacyServiceLine]:
        """The lines of the customer with this ``legacy_id`` (closed ones included), ordered by number."""
        ...


POOL_KINDS = ("mobile", "fixed")
POOL_STATUSES = ("free", "reserved", "taken")


@dataclass(frozen=True)
class PoolNumber:
    """A number in the legacy free-number pool (选号), in hall units.

    ``grade`` is 0 for an ordinary number and higher for premium ones (靓号:
    AABB, ABCD runs, 8888 endings...); ``price_fen`` is the one-off selection
    fee, ``min_spend_fen`` the monthly minimum spend that comes with the number.
    """

    number: str
    kind: str  # mobile | fixed
    area: str  # area code, e.g. "0571"
    grade: int = 0
    price_fen: int = 0
    min_spend_fen: int = 0
    status: str = "free"  # free | reserved | taken
    problem: str = ""

    @property
    def premium(self) -> bool:
        return self.grade > 0


@dataclass(frozen=True)
class NumberQuery:
    """What a customer picking a number asks for. Digit filters take digits only (ValueError otherwise).

    Paging is by key: ``after`` is the last number of the previous page, so a
    page stays right while other customers reserve numbers.
    """

    kind: str = ""  # mobile | fixed | "" (any)
    area: str = ""  # area code; "" = any
    prefix: str = ""  # the number starts with these digits
    contains: str = ""
    ends_with: str = ""  # e.g. "8888"
    without: str = ""  # none of these digits anywhere, e.g. "4"
    premium_only: bool = False
    after: str = ""
    limit: int = 20

    def __post_init__(self) -> None:
        for name in ("area", "prefix", "contains", "ends_with", "without", "after"):
            value = getattr(self, name)
            if value and not (value.isascii() and value.isdigit()):
                raise ValueError(f"{name} must be digits only (got {value!r})")
        if self.kind and self.kind not in POOL_KINDS:
            raise ValueError(f"kind must be one of {', '.join(POOL_KINDS)} (got {self.kind!r})")
        if not 1 <= self.limit <= 200:
            raise ValueError(f"limit must be 1..200 (got {self.limit})")


@dataclass(frozen=True)
class NumberPage:
    numbers: list[PoolNumber]
    next_after: str  # pass as NumberQuery.after for the next page; "" after the last page


@runtime_checkable
class NumberPoolSource(Protocol):
    """Free numbers for number selection (选号), read live from the legacy resource pool.

    This port only reads. Reserving a number is a write-back event: the hall
    records an outbox event (kind ``number.reserved``, payload number, customer
    and hold-until time) that the connector's :class:`LegacyWriter` applies in
    the legacy system; call :meth:`number_status` right before, because the
    pool changes under the hall's feet (counter clerks pick numbers too).
    """

    async def free_numbers(self, query: NumberQuery) -> NumberPage:
        """Free numbers matching ``query``, ordered by number, at most ``query.limit``."""
        ...

    async def number_status(self, number: str) -> PoolNumber | None:
        """The pool's record of ``number`` as it is now (any status), or None when the pool does not hold it."""
        ...


@runtime_checkable
class Connector(Protocol):
    """Every connector: a name and a health check. The ports above are optional extras."""

    name: str

    async def ping(self) -> None:
        """Raise when the legacy system cannot be reached."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


PORTS: dict[str, type] = {"customers": CustomerSource}
PORTS["writeback"] = LegacyWriter
PORTS["bills"] = BillingSource
PORTS["calls"] = CallRecordSource
PORTS["lines"] = ServiceLineSource
PORTS["number_pool"] = NumberPoolSource
PORTS["balances"] = BalanceSource  # core/legacy/ports_money.py
PORTS["payment_records"] = PaymentRecordSource


def port_name(port: type) -> str:
    for name, cls in PORTS.items():
        if cls is port:
            return name
    return port.__name__


def missing_ports(connector: object, needed: list[type]) -> list[str]:
    return [port_name(p) for p in needed if not isinstance(connector, p)]
