"""A fake legacy connector and valid test identities, for plugin tests that need customers."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from dataclasses import dataclass, field, replace

from core.hookspecs import hookimpl
from core.id_numbers import check_char
from core.legacy.ports import CustomerBatch, LegacyBalance, LegacyCustomer, LegacyServiceNumber


def make_id_number(seed: int, region: str = "330106", birth: str = "19850615") -> str:
    """A valid 18-digit resident ID number (GB 11643 checksum), different for each seed."""
    body = f"{region}{birth}{seed % 1000:03d}"
    return body + check_char(body)


def make_customer(
    n: int,
    *,
    name: str | None = None,
    email: str | None = "",
    phone: str | None = None,
    numbers: tuple[str, ...] | None = None,
    status: str = "active",
) -> LegacyCustomer:
    rnd = random.Random(n)
    phone = phone if phone is not None else f"139{rnd.randrange(10**8):08d}"
    nums = numbers if numbers is not None else (phone,)
    return LegacyCustomer(
        legacy_id=f"C{n:05d}",
        name=name or f"测试用户{n}",
        id_number=make_id_number(n),
        email=(f"user{n}@example.com" if email == "" else (email or "")),
        phone=phone,
        address=f"测试路{n}号",
        status=status,
        changed_at=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(minutes=n),
        numbers=tuple(LegacyServiceNumber(x) for x in nums),
    )


@dataclass
class FakeConnector:
    """In-memory legacy system implementing the ``customers`` and ``writeback`` ports. ``down = True`` simulates an outage.

    Written events land in ``events`` (event id -> (kind, payload)), once per
    event id however often they are written; ``rejects`` maps an event kind to
    the reason the legacy system refuses it with.
    """

    customers: list[LegacyCustomer] = field(default_factory=list)
    name: str = "fake"
    down: bool = False
    calls: list[str] = field(default_factory=list)
    events: dict[str, tuple[str, dict]] = field(default_factory=dict)
    rejects: dict[str, str] = field(default_factory=dict)
    names: dict[str, dict] = field(
        default_factory=dict
    )  # kind -> {code: name or {language: name}} (core/legacy/names.py)

    def display_names(self, kind: str) -> dict:
        return self.names.get(kind, {})

    def _check(self) -> None:
        if self.down:
            raise ConnectionError("legacy system unreachable (FakeConnector.down)")

    async def ping(self) -> None:
        self._check()

    async def close(self) -> None:
        return None

    async def customers_changed_since(self, watermark: str, limit: int) -> CustomerBatch:
        self._check()
        self.calls.append(f"changed_since:{watermark}")
        ordered = sorted(self.customers, key=lambda c: (c.changed_at, c.legacy_id))
        after = (
            [c for c in ordered if f"{c.changed_at.isoformat()}|{c.legacy_id}" > watermark] if watermark else ordered
        )
        page = after[:limit]
        mark = f"{page[-1].changed_at.isoformat()}|{page[-1].legacy_id}" if page else watermark
        return CustomerBatch(customers=page, watermark=mark)

    async def customer_by_number(self, number: str) -> LegacyCustomer | None:
        self._check()
        self.calls.append(f"by_number:{number}")
        for c in self.customers:
            if any(n.number == number for n in c.numbers):
                return c
        return None

    async def write_event(self, event_id: str, kind: str, payload: dict) -> None:
        self._check()
        self.calls.append(f"write_event:{event_id}")
        if kind in self.rejects:
            raise ValueError(self.rejects[kind])
        self.events.setdefault(event_id, (kind, payload))  # idempotent: a repeat has no second effect

    def touch(self, legacy_id: str, **changes) -> None:
        """Change a customer as the legacy system would (bumps its change time)."""
        for i, c in enumerate(self.customers):
            if c.legacy_id == legacy_id:
                self.customers[i] = replace(c, changed_at=dt.datetime.now(dt.timezone.utc), **changes)


@dataclass
class FakeBalanceConnector(FakeConnector):
    """A FakeConnector that also offers the ``balances`` port (``[connector] balances = true``).

    ``balances`` maps an account to its :class:`LegacyBalance`; ``slow`` makes each
    look-up take that many seconds (a BSS slower than the hall waits for).
    """

    balances: dict[str, LegacyBalance] = field(default_factory=dict)
    slow: float = 0.0

    async def balance_of(self, account: str) -> LegacyBalance | None:
        self._check()
        self.calls.append(f"balance_of:{account}")
        if self.slow:
            await asyncio.sleep(self.slow)
        return self.balances.get(account)


class FakeConnectorPlugin:
    """Answers ``make_connector`` for ``[connector] type = "fake"`` with the tenant's FakeConnector
    (a :class:`FakeBalanceConnector` when the table says ``balances = true``)."""

    def __init__(self, connectors: dict[str, FakeConnector]):
        self.connectors = connectors

    @hookimpl
    def make_connector(self, hall, tenant, config):
        if config.get("type") != "fake":
            return None
        kind = FakeBalanceConnector if config.get("balances") else FakeConnector
        return self.connectors.setdefault(tenant.id, kind())
