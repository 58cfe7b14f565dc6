"""Account balances (余额): the BSS's figure through a short cache shared by every worker (``core_balance``).

A balance changes with every call a prepaid customer makes, so it is never
synced: it is asked for when a page shows it. The answer is kept in
:class:`~core.legacy.billing_tables.Balance` and shown again without asking
for ``[legacy] balance_cache_seconds``; an older row is asked again, with a
short timeout (``balance_timeout_seconds``). When the legacy system does not
answer, the page gets the last figure known, marked stale (``fresh`` false),
or no figure at all - never a made-up number, never an error page. A paid
bill or top-up calls :func:`forget_balance`, so the next look-up asks again.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
from dataclasses import dataclass

from core.legacy.billing_tables import Balance
from core.legacy.ports import BalanceSource
from core.legacy.settings import legacy_settings
from core.localtime import utc_moment

log = logging.getLogger("hall.legacy")


def now() -> dt.datetime:
    """The balance cache's clock (tests move it instead of sleeping)."""
    return dt.datetime.now(dt.timezone.utc)


@dataclass(frozen=True)
class AccountBalance:
    """An account's balance as a page shows it, in fen (positive: credit; negative: owed).

    ``fresh`` is false when the legacy system did not answer: ``balance_fen`` is
    then the last figure known (with its ``as_of``), or None when the hall never
    had one.
    """

    account: str
    balance_fen: int | None
    billing: str  # postpaid | prepaid
    as_of: dt.datetime | None  # the BSS's time for the figure ("data as of")
    fresh: bool
    fresh_until: dt.datetime | None = None  # a fresh figure: until when a look-up gives it again without asking the BSS

    @property
    def known(self) -> bool:
        return self.balance_fen is not None

    @property
    def owed_fen(self) -> int:
        """What a negative balance owes (0 for a credit or an unknown figure)."""
        return max(0, -(self.balance_fen or 0))


def _of_row(row: dict, fresh: bool) -> AccountBalance:
    return AccountBalance(
        row["account_legacy_id"], int(row["balance_fen"]), row["billing"], utc_moment(row["as_of"]), fresh
    )


async def cached(account: str) -> dict | None:
    return await Balance.select().where(Balance.account_legacy_id == account).first()


async def cached_many(accounts: list[str]) -> dict[str, dict]:
    """The last figures known for several accounts, in one statement: account → row (accounts never read: absent)."""
    if not accounts:
        return {}
    rows = await Balance.select().where(Balance.account_legacy_id.is_in(list(accounts)))
    return {row["account_legacy_id"]: row for row in rows}


async def _store(account: str, found, fetched_at: dt.datetime) -> None:
    """Upsert the figure on (tenant, account): two workers asking at once both write the same kind of row."""
    await Balance.insert(
        Balance(
            account_legacy_id=account,
            balance_fen=int(found.balance_fen),
            billing=found.billing,
            as_of=found.as_of,
            fetched_at=fetched_at,
        )
    ).on_conflict(
        target=(Balance.tenant, Balance.account_legacy_id),
        action="DO UPDATE",
        values=[Balance.balance_fen, Balance.billing, Balance.as_of, Balance.fetched_at],
    )


async def balance_of(hall, tenant, account_legacy_id: str) -> AccountBalance | None:
    """The account's balance, from the cache while it is young, else from the BSS (then cached).

    None when the tenant's connector has no ``balances`` port, or when the BSS
    holds no balance for this account. Runs in the current tenant's scope.
    """
    account = (account_legacy_id or "").strip()
    connector = hall.connector(tenant)
    if not account or not isinstance(connector, BalanceSource):
        return None
    settings = legacy_settings(tenant)
    row = await cached(account)
    moment = now()
    fetched = utc_moment(row["fetched_at"]) if row else None
    young = dt.timedelta(seconds=settings.balance_cache_seconds)
    if fetched is not None and moment - fetched < young:
        return dataclasses.replace(_of_row(row, fresh=True), fresh_until=fetched + young)
    try:
        found = await asyncio.wait_for(connector.balance_of(account), timeout=settings.balance_timeout_seconds)
    except Exception as exc:  # down, slow, or a bad mapping: the last figure known, marked as such
        log.warning("balance of %s (tenant %s): the legacy system did not answer: %r", account, tenant.id, exc)
        found = None if row is None else _of_row(row, fresh=False)
        return found or AccountBalance(account, None, "postpaid", None, fresh=False)
    if found is None:
        return None
    if found.problem:
        log.warning("balance of %s (tenant %s): %s", account, tenant.id, found.problem)
        return _of_row(row, fresh=False) if row else AccountBalance(account, None, found.billing, None, fresh=False)
    await _store(account, found, moment)
    return AccountBalance(
        account, int(found.balance_fen), found.billing, utc_moment(found.as_of), fresh=True, fresh_until=moment + young
    )


async def forget_balance(account_legacy_id: str) -> None:
    """Make the next look-up of the account ask the BSS (a bill paid, a top-up credited); the figure stays as last known."""
    account = (account_legacy_id or "").strip()
    if account:
        await Balance.update({Balance.fetched_at: None}).where(Balance.account_legacy_id == account)
