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
from typing import AsyncIterator, Protocol, runtime_checkable


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


def port_name(port: type) -> str:
    for name, cls in PORTS.items():
        if cls is port:
            return name
    return port.__name__


def missing_ports(connector: object, needed: list[type]) -> list[str]:
    return [port_name(p) for p in needed if not isinstance(connector, p)]
