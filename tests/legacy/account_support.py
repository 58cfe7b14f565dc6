"""An in-memory legacy system with billing accounts, for the account sync tests (customers, bills, listings by id)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from core.legacy.ports import (
    BillBatch,
    CustomerBatch,
    LegacyAccount,
    LegacyBill,
    LegacyBillItem,
    LegacyCustomer,
    LegacyServiceNumber,
)
from core.legacy.reconcile import IdPage
from core.testing.fakes import make_id_number

T0 = dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)


def customer(
    n: int, numbers: dict[str, str], accounts: tuple[LegacyAccount, ...] = (), name: str = ""
) -> LegacyCustomer:
    """Customer C<n> with ``numbers`` (number -> account, "" for none) and the ``accounts`` its connector hands."""
    return LegacyCustomer(
        legacy_id=f"C{n}",
        name=name or f"客户{n}",
        id_number=make_id_number(n),
        changed_at=T0 + dt.timedelta(minutes=n),
        numbers=tuple(LegacyServiceNumber(number, account=account) for number, account in numbers.items()),
        accounts=accounts,
    )


def bill(legacy_id: str, *, number: str = "", account: str = "", items: dict[str, int] | None = None, n: int = 0):
    """A March bill; ``items`` maps the number each charge is for to its amount."""
    lines = tuple(LegacyBillItem("MF", "月租", fen, number=who) for who, fen in (items or {number: 5000}).items())
    return LegacyBill(
        legacy_id=legacy_id,
        number=number,
        account=account,
        month="2026-03",
        amount_fen=sum(i.amount_fen for i in lines),
        changed_at=T0 + dt.timedelta(minutes=n),
        items=lines,
    )


@dataclass
class AccountsLegacy:
    """Customers and bills in memory, paged by change time; ``touch``/``quiet`` change them with or without a stamp."""

    customers: list[LegacyCustomer] = field(default_factory=list)
    bills: list[LegacyBill] = field(default_factory=list)
    name: str = "accounts-fake"

    async def ping(self) -> None: ...

    async def close(self) -> None: ...

    @staticmethod
    def _page(rows: list, watermark: str, limit: int) -> tuple[list, str]:
        ordered = sorted(rows, key=lambda r: (r.changed_at, r.legacy_id))
        mark = lambda r: f"{r.changed_at.isoformat()}|{r.legacy_id}"  # noqa: E731
        page = [r for r in ordered if not watermark or mark(r) > watermark][:limit]
        return page, mark(page[-1]) if page else watermark

    async def customers_changed_since(self, watermark: str, limit: int) -> CustomerBatch:
        return CustomerBatch(*self._page(self.customers, watermark, limit))

    async def customer_by_number(self, number: str) -> LegacyCustomer | None:
        return next((c for c in self.customers if any(n.number == number for n in c.numbers)), None)

    async def customers_by_ids(self, ids: list[str]) -> list[LegacyCustomer]:
        return [c for c in self.customers if c.legacy_id in ids]

    async def bills_changed_since(self, watermark: str, limit: int) -> BillBatch:
        return BillBatch(*self._page(self.bills, watermark, limit))

    async def bills_by_ids(self, ids: list[str]) -> list[LegacyBill]:
        return [b for b in self.bills if b.legacy_id in ids]

    def reconcilable_kinds(self) -> tuple[str, ...]:
        return ("customers", "bills")

    async def legacy_ids(self, kind: str, cursor: str, limit: int) -> IdPage:
        ids = sorted(r.legacy_id for r in (self.customers if kind == "customers" else self.bills))
        page = [i for i in ids if i > cursor][:limit]
        return IdPage(page, page[-1] if len(page) == limit else "")

    def touch(self, legacy_id: str, **changes) -> None:
        """A change the legacy system stamps."""
        self.quiet(legacy_id, changed_at=T0 + dt.timedelta(days=1, minutes=len(changes)), **changes)

    def quiet(self, legacy_id: str, **changes) -> None:
        """A change the legacy system does not stamp (the incremental sync cannot see it)."""
        self.customers = [replace(c, **changes) if c.legacy_id == legacy_id else c for c in self.customers]
