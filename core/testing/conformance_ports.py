"""The read ports as the conformance kit drives them: one description per kind, paging, and the hall's validators.

Kept apart from :mod:`core.testing.conformance` so the kit's test class reads
as a list of properties; everything here is plain async code an integrator
may also call from their own tests.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Awaitable, Callable

from core.legacy.billing_sync import call_row, validate_bill
from core.legacy.customer_sync import validate as validate_customer
from core.legacy.ports import BillingSource, CallRecordSource, CustomerSource, port_name

UNKNOWN_ID = "no-such-legacy-id-0"


@dataclass(frozen=True)
class Kind:
    """One kind of legacy rows: which port offers it, how to page it, how to look rows up again."""

    name: str
    port: type
    page: Callable[[Any, str, int], Awaitable[tuple[list, str]]]

    def offered_by(self, connector: Any) -> bool:
        return isinstance(connector, self.port)

    def missing_reason(self, connector: Any) -> str:
        return (
            f"{getattr(connector, 'name', type(connector).__name__)} does not offer the {port_name(self.port)} port "
            f"({self.port.__name__}): nothing to check for {self.name}"
        )


async def _customers(connector, watermark: str, limit: int):
    batch = await connector.customers_changed_since(watermark, limit)
    return batch.customers, batch.watermark


async def _bills(connector, watermark: str, limit: int):
    batch = await connector.bills_changed_since(watermark, limit)
    return batch.bills, batch.watermark


async def _calls(connector, watermark: str, limit: int):
    batch = await connector.calls_after(watermark, limit)
    return batch.calls, batch.watermark


KINDS = {
    "customers": Kind("customers", CustomerSource, _customers),
    "bills": Kind("bills", BillingSource, _bills),
    "calls": Kind("calls", CallRecordSource, _calls),
}


@dataclass
class Page:
    watermark_before: str
    rows: list
    watermark_after: str


class PagingError(AssertionError):
    """The connector broke the paging contract (named in the message)."""


async def page_all(kind: Kind, connector: Any, limit: int, watermark: str = "", max_pages: int = 100_000) -> list[Page]:
    """Every page after ``watermark`` to the end, checking the contract as it goes."""
    pages: list[Page] = []
    while True:
        rows, after = await kind.page(connector, watermark, limit)
        if len(rows) > limit:
            raise PagingError(f"{kind.name}: asked for at most {limit} rows, got {len(rows)}")
        if not rows:
            return pages
        if after == watermark:
            raise PagingError(f"{kind.name}: {len(rows)} rows returned but the watermark {watermark!r} did not advance")
        if not isinstance(after, str):
            raise PagingError(f"{kind.name}: the watermark must be text, got {type(after).__name__}")
        pages.append(Page(watermark, list(rows), after))
        if len(pages) > max_pages:
            raise PagingError(
                f"{kind.name}: more than {max_pages} pages of {limit}: the watermark goes round in circles?"
            )
        watermark = after


def ids_of(rows: list) -> list[str]:
    return [row.legacy_id for row in rows]


def duplicates(ids: list[str]) -> list[str]:
    seen, twice = set(), []
    for i in ids:
        if i in seen:
            twice.append(i)
        seen.add(i)
    return twice


async def look_up(kind: Kind, connector: Any, rows: list) -> dict[str, Any]:
    """The same rows read again by id: bills_by_ids, calls_by_ids, or customer_by_number (per unique number)."""
    if kind.name == "bills":
        return {b.legacy_id: b for b in await connector.bills_by_ids(ids_of(rows))}
    if kind.name == "calls":
        return {c.legacy_id: c for c in await connector.calls_by_ids(ids_of(rows))}
    owners: dict[str, list[str]] = {}
    for customer in rows:
        for line in customer.numbers:
            owners.setdefault(line.number, []).append(customer.legacy_id)
    found = {}
    for number, ids in owners.items():
        if len(ids) == 1:  # a number shared by two customers (a data error) has no single answer
            found[number] = await connector.customer_by_number(number)
    return found


async def look_up_unknown(kind: Kind, connector: Any) -> Any:
    if kind.name == "bills":
        return await connector.bills_by_ids([UNKNOWN_ID])
    if kind.name == "calls":
        return await connector.calls_by_ids([UNKNOWN_ID])
    return await connector.customer_by_number("00000000000000000000")


def hall_units_problem(kind: str, row: Any, secret: str) -> str:
    """Why the hall's own validators refuse ``row`` ("" when it is fine): fen ints, aware times, known codes."""
    try:
        if kind == "customers":
            validate_customer(row, secret)
            if row.changed_at is not None and row.changed_at.tzinfo is None:
                return "change time has no time zone"
        elif kind == "bills":
            validate_bill(row)
        else:
            call_row(row)
    except ValueError as exc:
        return str(exc)
    return ""


@dataclass
class BrokenMapping:
    """A connector whose mapping names something the legacy system lacks, and what its report must name."""

    connector: Any
    file: str | Path  # the configuration file to fix (a tenant.toml)
    key: str  # the key to fix, e.g. "connector.customers.name"
    names: tuple[str, ...] = ()  # table/column names the reason must mention, e.g. ("KH_KHXX", "KHMC_TYPO")


class ConnectorRun:
    """The connectors of one test and the event loop they run on."""

    def __init__(self, factory: Callable[[], Any]):
        self.factory = factory
        self.loop = asyncio.new_event_loop()
        self.made: list[Any] = []
        self.connector = self.new()

    def new(self) -> Any:
        self.made.append(self.factory())
        return self.made[-1]

    def run(self, coro):
        return self.loop.run_until_complete(coro)

    def close(self) -> None:
        for connector in self.made:
            self.run(connector.close())
        self.loop.close()
