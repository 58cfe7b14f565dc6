"""Customer accounts: what the sign-up, log-in, reset and account pages change (``routes_customer.py``, ``routes_account.py``).

The pages parse the forms, run the throttles and render; the writes are here (docs/architecture.md, "The request path").
"""

from __future__ import annotations

import datetime as dt

from core.auth.customers import account_of_customer, add_number_link, create_account
from core.auth.passwords import hash_password
from core.auth.sessions import end_sessions_of
from core.auth.tables import AccountNumber, CustomerAccount
from core.db import transaction
from core.utils import await_each


async def register(hall, tenant, *, customer: dict, number: str, password: str, language: str) -> int | None:
    """Open the customer's account with its first number, then tell the plugins (``customer_registered``, after the commit).

    None when the customer already has an account (two sign-ups raced: the second one loses).
    """
    password_hash = await hash_password(password)
    async with transaction():
        if await account_of_customer(customer["legacy_id"]):
            return None
        account_id = await create_account(
            customer=customer, number=number, password_hash=password_hash, language=language
        )
    account = await CustomerAccount.select().where(CustomerAccount.id == account_id).first()
    await await_each(hall.hooks_for(tenant).customer_registered(hall=hall, tenant=tenant, account=account))
    return account_id


async def logged_in(account_id: int) -> None:
    await CustomerAccount.update({CustomerAccount.last_login_at: dt.datetime.now(dt.timezone.utc)}).where(
        CustomerAccount.id == account_id
    )


async def link_number(account_id: int, number: str) -> bool:
    """Link another of the customer's numbers (the caller checked it is theirs); False when it is linked already."""
    if await AccountNumber.exists().where(AccountNumber.number == number):
        return False
    await add_number_link(account_id, number)
    return True


async def set_password(account_id: int, password: str, *, keep_token: str | None = None) -> None:
    """A new password; every session of the account ends, but ``keep_token``'s (the customer changing their own)."""
    await CustomerAccount.update({CustomerAccount.password_hash: await hash_password(password)}).where(
        CustomerAccount.id == account_id
    )
    await end_sessions_of("customer", account_id, keep_token=keep_token)


async def set_language(account_id: int, language: str) -> None:
    await CustomerAccount.update({CustomerAccount.language: language}).where(CustomerAccount.id == account_id)
