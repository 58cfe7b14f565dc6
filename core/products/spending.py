"""What the hall may spend from an account's prepaid balance, decided under the account's row lock.

The BSS's figure (``core_balance``, read through the balances port) lags the
hall: a debit or a payment reaches the BSS later, through the outbox. So what
may be spent is the figure, less the hall's debits it does not show yet, plus
the payments the hall took that it does not show yet (an event not yet
delivered, or made after the figure's ``as_of``).

Two workers charging one account at once must never both spend the same
money. A debit therefore decides inside its own transaction, after locking the
account's ``core_balance`` row (:func:`spendable_locked`: a no-op conditional
UPDATE - on PostgreSQL the row lock is held until commit, so a second worker
waits and then sees the first one's committed charge; on SQLite the
transaction holds the database's write lock). The figure read before the
transaction (:class:`BalanceBook`) only sorts out the hopeless cases early.
"""

from __future__ import annotations

import datetime as dt

from core.legacy.balances import balance_of, forget_balance
from core.legacy.billing_tables import Balance
from core.legacy.outbox_tables import OutboxEvent
from core.localtime import utc_moment
from core.products.charge_tables import BalanceCredit, Charge

WINDOW = 200  # the newest debits and credits looked at: older ones the BSS has long applied


async def _undelivered(event_ids: list[str]) -> set[str]:
    ids = [e for e in event_ids if e]
    if not ids:
        return set()
    rows = await OutboxEvent.select(OutboxEvent.event_id).where(
        OutboxEvent.event_id.is_in(ids) & (OutboxEvent.status != "delivered")
    )
    return {r["event_id"] for r in rows}


async def unseen_debits(account: str, as_of: dt.datetime | None) -> int:
    """What the hall took from ``account``'s balance that the BSS's figure of ``as_of`` does not show yet."""
    rows = (
        await Charge.select(Charge.amount_fen, Charge.event_id, Charge.created_at, Charge.settled_at)
        .where(
            (Charge.account_legacy_id == account)
            & (Charge.settle == "balance")
            & Charge.state.is_in(["debited", "paid"])
        )
        .order_by(Charge.id, ascending=False)
        .limit(WINDOW)
    )
    undelivered = await _undelivered([r["event_id"] for r in rows])
    total = 0
    for r in rows:
        debited_at = utc_moment(r["settled_at"] or r["created_at"])
        if r["event_id"] in undelivered or as_of is None or debited_at >= as_of:
            total += int(r["amount_fen"])
    return total


async def unseen_credits(account: str, as_of: dt.datetime | None) -> int:
    """Payments the hall took for ``account`` that the BSS's figure of ``as_of`` does not show yet."""
    rows = (
        await BalanceCredit.select()
        .where(BalanceCredit.account_legacy_id == account)
        .order_by(BalanceCredit.id, ascending=False)
        .limit(WINDOW)
    )
    undelivered = await _undelivered([r["event_id"] for r in rows])
    total = 0
    for r in rows:
        if r["event_id"] in undelivered or as_of is None or utc_moment(r["credited_at"]) >= as_of:
            total += int(r["amount_fen"])
    return total


async def spendable_locked(account: str) -> int | None:
    """Inside a transaction: lock the account's balance row, then what may be spent now; None when never read.

    The lock is a conditional UPDATE that changes nothing (PostgreSQL keeps the
    row locked until the caller's transaction ends): whoever debits the account
    next waits here and then sees this transaction's charge.
    """
    rows = (
        await Balance.update({Balance.balance_fen: Balance.balance_fen + 0})
        .where(Balance.account_legacy_id == account)
        .returning(Balance.balance_fen, Balance.as_of)
    )
    if not rows:
        return None
    as_of = utc_moment(rows[0]["as_of"])
    return int(rows[0]["balance_fen"]) - await unseen_debits(account, as_of) + await unseen_credits(account, as_of)


class BalanceBook:
    """Balances as a charge run sees them before it locks: the BSS's fresh figure, less and plus what it does not show.

    The BSS's figure is read once per run (``forget`` asks again). An account
    whose balance could not be read (the BSS away, a stale figure) is never
    spent from: no guess.
    """

    def __init__(self, hall, tenant):
        self.hall, self.tenant = hall, tenant
        self.known: dict[str, tuple[int, dt.datetime | None] | None] = {}

    async def available(self, account: str) -> int | None:
        if account not in self.known:
            found = await balance_of(self.hall, self.tenant, account)
            ok = found is not None and found.fresh and found.known
            self.known[account] = (found.balance_fen, found.as_of) if ok else None
        if self.known[account] is None:
            return None
        figure, as_of = self.known[account]
        return figure - await unseen_debits(account, as_of) + await unseen_credits(account, as_of)

    async def covers(self, account: str, amount: int) -> tuple[bool, str]:
        """(True, "") when the account's fresh balance covers ``amount``; else (False, why)."""
        have = await self.available(account)
        if have is None:
            return False, "balance_unknown"
        if have < amount:
            return False, "balance_low"
        return True, ""

    async def forget(self, account: str) -> None:
        self.known.pop(account, None)
        await forget_balance(account)
