"""The ``dialup`` specification's lifecycle hooks: each brings the RADIUS rows in line with the hall's account and
records what changed. Pushing the whole state is idempotent, so a retry under the same key does no harm."""

from __future__ import annotations

import datetime as dt

from core.api.db import transaction
from core.api.legacy import emit
from core.api.products import LifecycleFailed

from . import clock
from .accounts import by_username, event_id, event_payload, sync
from .packages import package
from .radius_db import RadiusDbError
from .tables import ACTIVE, CANCELLED, CLOSED, ORDERED, DialupAccount


async def _account(product) -> dict:
    account = await by_username(product.number)
    if account is None or account["customer_legacy_id"] != product.customer_id:
        raise LifecycleFailed(f"no dial-up account {product.number!r} in the hall")
    return account


async def _sync(hall, tenant, account: dict) -> None:
    try:
        await sync(hall, tenant, account)
    except RadiusDbError as exc:
        raise LifecycleFailed(f"RADIUS database: {exc}") from exc


async def _save(account_id: int, values: dict, *, kind: str = "", payload: dict | None = None, eid: str = ""):
    async with transaction():
        await DialupAccount.update({getattr(DialupAccount, k): v for k, v in values.items()}).where(
            DialupAccount.id == account_id
        )
        if kind:
            await emit(kind, payload or {}, event_id=eid or None)


async def provision(hall, tenant, product, call) -> None:
    """The paid order is carried out: the allowance starts now, and the user name may dial in."""
    account = await _account(product)
    if account["state"] in (CLOSED, CANCELLED):
        raise LifecycleFailed(f"dial-up account {product.number!r} is {account['state']}")
    values = {"product_id": product.id}
    if account["state"] == ORDERED:
        pkg = package(tenant, account["offering_code"])
        if pkg is None:
            raise LifecycleFailed(f"no package {account['offering_code']!r} in [plugins.dialup] packages")
        stamp = clock.now()
        values.update(
            state=ACTIVE,
            opened_at=stamp,
            expires_at=stamp + dt.timedelta(days=pkg.days),
            seconds_total=pkg.hours * 3600,
            money_fen=pkg.price_fen if pkg.kind == "money" else 0,
            rate_fen_per_hour=pkg.rate_fen_per_hour,
            days=pkg.days,
            updated_at=stamp,
        )
    account = {**account, **values}
    await _sync(hall, tenant, account)
    opened = account["state"] == ACTIVE and values.get("state") == ACTIVE
    await _save(
        account["id"],
        values,
        kind="dialup.account.opened" if opened else "",
        payload=event_payload(tenant, account, product=product.id),
        eid=event_id(tenant, account["id"], "opened"),
    )


async def lock(hall, tenant, product, call, *, locked: bool) -> None:
    """Suspend (an operator's lock) or resume: locked while any suspension reason is left."""
    account = await _account(product)
    reason = call.params.get("reason", "operator")
    if not locked:
        locked = bool(set(product.suspend_reasons) - {reason})
    account = {**account, "locked": locked}
    await _sync(hall, tenant, account)
    await _save(
        account["id"],
        {"locked": locked, "updated_at": clock.now()},
        kind="dialup.account.locked" if locked else "dialup.account.unlocked",
        payload=event_payload(tenant, account, reason=reason),
        eid=event_id(tenant, call.key),
    )


async def terminate(hall, tenant, product, call) -> None:
    account = {**await _account(product), "state": CLOSED}
    await _sync(hall, tenant, account)
    await _save(
        account["id"],
        {"state": CLOSED, "updated_at": clock.now()},
        kind="dialup.account.closed",
        payload=event_payload(tenant, account),
        eid=event_id(tenant, account["id"], "closed"),
    )


async def renew(hall, tenant, product, call) -> None:
    """A paid renewal was applied to the account (renewals.py): RADIUS gets the new expiry and allowance."""
    await _sync(hall, tenant, await _account(product))
