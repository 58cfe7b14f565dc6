"""Real-name (实名) identity: match a service number, name and ID number against the legacy customer master.

Sign-up: verify the three against the synced master (or the connector live, for
a number not synced yet), send a one-time code to the contact on file, then set
a password. The answer to a mismatch never says which part was wrong.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
from dataclasses import dataclass

from core.auth.tables import AccountNumber, Customer, CustomerAccount, ServiceNumber
from core.privacy import id_hash, normalise_id_number
from core.db.page_versions import bump_page_version

log = logging.getLogger("hall.identity")


@dataclass
class Verified:
    customer: dict
    number: str


async def find_number(hall, tenant, number: str) -> dict | None:
    """The synced service number row, asking the legacy system live when it is not synced yet."""
    row = await ServiceNumber.select().where(ServiceNumber.number == number).first()
    if row is not None:
        return row
    connector = hall.connector(tenant)
    lookup = getattr(connector, "customer_by_number", None)
    if lookup is None:
        return None
    try:
        legacy = await lookup(number)
    except Exception as exc:  # legacy down: sign-up of unsynced numbers waits, synced ones still work
        log.warning("live customer look-up failed for tenant %s: %s", tenant.id, exc)
        return None
    if legacy is None:
        return None
    from core.legacy.customer_sync import InvalidCustomer, upsert_customer

    try:
        await upsert_customer(tenant, legacy, secret=hall.secret)
    except InvalidCustomer as exc:  # a bad legacy record: no sign-up, and the reason (masked) in the log
        log.warning("legacy record %s of tenant %s unusable: %s", exc.legacy_id, tenant.id, exc)
        return None
    return await ServiceNumber.select().where(ServiceNumber.number == number).first()


async def number_holder(hall, tenant, number: str) -> tuple[dict, dict] | None:
    """(the service number row, its customer row) of a number of the current tenant, or None when unknown here.

    Synced rows first; a number not synced yet is asked of the legacy system live and
    stored (as sign-up does, :func:`find_number`). Another tenant's number is unknown.
    """
    sn = await find_number(hall, tenant, number)
    if sn is None:
        return None
    customer = await Customer.select().where(Customer.legacy_id == sn["customer_legacy_id"]).first()
    return (sn, customer) if customer else None


async def verify_identity(hall, tenant, *, number: str, name: str, id_number: str) -> Verified | None:
    """Service number + name + ID number must all match one active customer; None otherwise."""
    try:
        wanted_hash = id_hash(hall.secret, normalise_id_number(id_number))
    except ValueError:
        return None
    sn = await find_number(hall, tenant, number)
    if sn is None or sn["status"] != "active":
        return None
    customer = await Customer.select().where(Customer.legacy_id == sn["customer_legacy_id"]).first()
    if customer is None or customer["status"] != "active":
        return None
    name_ok = hmac.compare_digest(customer["name"].strip().encode(), name.strip().encode())
    id_ok = hmac.compare_digest(customer["id_hash"], wanted_hash)
    return Verified(customer, number) if name_ok and id_ok else None


async def account_of_customer(legacy_id: str) -> dict | None:
    return await CustomerAccount.select().where(CustomerAccount.customer_legacy_id == legacy_id).first()


async def account_by_login(identifier: str) -> dict | None:
    """Log in by service number or by e-mail."""
    ident = identifier.strip()
    if "@" in ident:
        return await CustomerAccount.select().where(CustomerAccount.email == ident.lower()).first()
    link = await AccountNumber.select(AccountNumber.account).where(AccountNumber.number == ident).first()
    if link is None:
        return None
    return await CustomerAccount.select().where(CustomerAccount.id == link["account"]).first()


async def create_account(*, customer: dict, number: str, password_hash: str, language: str) -> int:
    """Insert the account and link its first number, in the caller's transaction."""
    email = (customer.get("email") or "").lower() or None
    if email and await CustomerAccount.exists().where(CustomerAccount.email == email):
        email = None  # the address already logs in another account: this one logs in by number
    rows = await CustomerAccount.insert(
        CustomerAccount(
            customer_legacy_id=customer["legacy_id"],
            email=email,
            password_hash=password_hash,
            language=language,
            created_at=dt.datetime.now(dt.timezone.utc),
        )
    )
    account_id = rows[0]["id"]
    await add_number_link(account_id, number)
    return account_id


async def add_number_link(account_id: int, number: str) -> None:
    """Link ``number`` to the log-in; the customer's cached pages list their numbers, so they go stale."""
    await AccountNumber.insert(AccountNumber(account=account_id, number=number))
    await bump_page_version(account_id)


async def linked_numbers(account_id: int) -> list[str]:
    rows = (
        await AccountNumber.select(AccountNumber.number)
        .where(AccountNumber.account == account_id)
        .order_by(AccountNumber.id)
    )
    return [r["number"] for r in rows]


async def customer_numbers(legacy_id: str) -> list[dict]:
    return (
        await ServiceNumber.select().where(ServiceNumber.customer_legacy_id == legacy_id).order_by(ServiceNumber.number)
    )


async def customer_for_account(account_id: int) -> tuple[dict, dict] | None:
    account = await CustomerAccount.select().where(CustomerAccount.id == account_id).first()
    if account is None:
        return None
    customer = await Customer.select().where(Customer.legacy_id == account["customer_legacy_id"]).first()
    return (account, customer) if customer else None
