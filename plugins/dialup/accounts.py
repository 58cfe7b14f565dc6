"""The hall's dial-up accounts: look-ups, bringing RADIUS in line with the hall's row, and the steps customers
take that are not product orders (the password change)."""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from core.api import N_, local
from core.api.db import transaction
from core.api.legacy import emit
from core.api.products import Product
from core.api.web import ThrottleRule, reserve_attempt

from . import clock
from .balance import Balance, balance_of
from .credentials import hash_password, password_problem, verify_password
from .provisioning import push
from .radius_db import RadiusDb, RadiusDbError, radius_db
from .tables import ACTIVE, DialupAccount
from .usage import used_seconds

log = logging.getLogger("hall.dialup")


class AccountError(Exception):
    """A refused step: ``field`` names the form field the message belongs beside ("" for the page)."""

    def __init__(self, message: str, field: str = "", **params):
        super().__init__(message)
        self.message, self.field, self.params = message, field, params


async def by_username(username: str) -> dict | None:
    return await DialupAccount.select().where(DialupAccount.username == username).first()


async def by_id(account_id: int) -> dict | None:
    return await DialupAccount.select().where(DialupAccount.id == account_id).first()


async def of_customer(customer_id: str) -> list[dict]:
    return (
        await DialupAccount.select()
        .where((DialupAccount.customer_legacy_id == customer_id) & (DialupAccount.state != "cancelled"))
        .order_by(DialupAccount.id)
    )


async def product_of(account: dict) -> dict | None:
    """The account's product (made when its order was carried out), newest first."""
    if account["product_id"]:
        return await Product.select().where(Product.id == account["product_id"]).first()
    return (
        await Product.select()
        .where(
            (Product.specification == "dialup")
            & (Product.number == account["username"])
            & (Product.customer_legacy_id == account["customer_legacy_id"])
        )
        .order_by(Product.id, ascending=False)
        .first()
    )


async def balance(db: RadiusDb, account: dict) -> Balance:
    used = await used_seconds(db, account["username"], account["opened_at"]) if account["state"] == ACTIVE else 0
    return balance_of(account, used, clock.now())


async def sync(hall, tenant, account: dict) -> Balance | None:
    """Make the RADIUS rows what the hall's row says (with what is left); RadiusDbError when the database is away."""
    db = radius_db(hall, tenant)
    bal = await balance(db, account) if account["state"] == ACTIVE else None
    await push(db, account, bal)
    if bal is not None and bal.exhausted != (account["blocked"] == "exhausted"):
        await DialupAccount.update(
            {DialupAccount.blocked: "exhausted" if bal.exhausted else "", DialupAccount.updated_at: clock.now()}
        ).where(DialupAccount.id == account["id"])
    return bal


async def change_password(hall, tenant, account: dict, old: str, new: str, again: str) -> None:
    """Check the old password and the new one's strength, write the new hash to RADIUS, then keep it."""
    if account["state"] != ACTIVE:
        raise AccountError(N_("This account is not open."))
    held = await reserve_attempt(ThrottleRule(f"dialup:password:{account['id']}", dt.timedelta(hours=1), limit=10))
    if not held.ok:  # the current password must not be guessable here
        raise AccountError(N_("Too many attempts; please try again after %(time)s."), time=local(held.retry_at, tenant))
    if not verify_password(old, account["password_hash"]):
        raise AccountError(N_("The current password is not right."), "old")
    problem = password_problem(new, account["username"], tenant.plugin_settings("dialup"))
    if problem:
        raise AccountError(problem, "new", min=tenant.plugin_settings("dialup").password_min)
    if new != again:
        raise AccountError(N_("The two passwords are not the same."), "again")
    changed = {**account, "password_hash": hash_password(new)}
    try:
        await sync(hall, tenant, changed)
    except RadiusDbError as exc:
        log.warning("tenant %s: password of %s not changed: %s", tenant.id, account["username"], exc)
        raise AccountError(N_("The password could not be changed just now; please try again later.")) from exc
    async with transaction():
        await DialupAccount.update(
            {DialupAccount.password_hash: changed["password_hash"], DialupAccount.updated_at: clock.now()}
        ).where(DialupAccount.id == account["id"])
        await emit("dialup.account.password_changed", event_payload(tenant, account))


def event_id(tenant, *parts) -> str:
    """An outbox event id derived from what it is about: the BSS sees one id per fact, however often it is told."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, ":".join(["dialup", tenant.id, *map(str, parts)])))


def event_payload(tenant, account: dict, **extra) -> dict:
    """What the BSS hears of an account (never its password)."""
    expires = account["expires_at"]
    return {
        "username": account["username"],
        "customer_id": account["customer_legacy_id"],
        "offering": account["offering_code"],
        "kind": account["kind"],
        "order": account["order_number"],
        "expires_at": expires.isoformat() if expires else None,
        **extra,
    }
