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
from typing import AsyncIterator, NamedTuple, Protocol, runtime_checkable


@dataclass(frozen=True)
class LegacyServiceNumber:
    number: str
    kind: str = "phone"  # phone | account | broadband
    status: str = "active"


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


@dataclass(frozen=True)
class LegacyBill:
    """A monthly bill with its line items, in the hall's units (integer fen, month ``YYYY-MM``).

    ``problem`` is set by the connector when it could not convert the row (an
    unparseable value, naming key, table, column and the value); the sync
    quarantines such a row instead of storing it.
    """

    legacy_id: str
    number: str
    month: str  # YYYY-MM
    amount_fen: int
    paid_fen: int = 0
    status: str = "unpaid"  # unpaid | partial | paid
    due_date: dt.date | None = None
    changed_at: dt.datetime | None = None
    items: tuple[LegacyBillItem, ...] = field(default_factory=tuple)
    problem: str = ""


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


@runtime_checkable
class LegacyWriter(Protocol):
    """Changes the hall pushes to the legacy system (payments posted, service orders, account changes): the outbox."""

    async def write_event(self, event_id: str, kind: str, payload: dict) -> None:
        """Apply one outbox event. Idempotent by ``event_id``: writing an event id seen before has no second effect.

        Raise ``ConnectionError`` (or ``TimeoutError``) when the legacy system
        cannot be reached, any other exception when it refuses this event.
        """
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


def port_name(port: type) -> str:
    for name, cls in PORTS.items():
        if cls is port:
            return name
    return port.__name__


def missing_ports(connector: object, needed: list[type]) -> list[str]:
    return [port_name(p) for p in needed if not isinstance(connector, p)]
