"""Opening an account: the customer's user name, password and package checked, the name held for them, and a
product order placed for the package (paid through the payment core before anything is provisioned)."""

from __future__ import annotations

import datetime as dt

from core.api import N_
from core.api.products import OrderItem, ProductError, act, get_product_order, place_order

from . import clock
from .accounts import by_username, product_of
from .credentials import hash_password, password_problem, username_problem
from .packages import package
from .provisioning import foreign_user
from .radius_db import RadiusDbError, radius_db
from .tables import CANCELLED, ORDERED, DialupAccount

GIVEN_UP = ("cancelled", "failed")  # an order in these states frees the user name it held
STALE = dt.timedelta(minutes=15)  # a name held by a placement that never finished


class OpenErrors(Exception):
    """The form's problems: {field: (message id, params)}."""

    def __init__(self, errors: dict[str, tuple[str, dict]]):
        super().__init__(", ".join(errors))
        self.errors = errors


async def _free_if_stale(existing: dict) -> bool:
    """A name held by an order that was cancelled or failed (or never placed) is free again; True when freed."""
    if existing["state"] == CANCELLED:
        stale = True
    elif existing["state"] != ORDERED:
        return False
    elif existing["order_id"] is None:
        stale = existing["created_at"] < clock.now() - STALE
    else:
        stale = (await get_product_order(existing["order_id"]))["state"] in GIVEN_UP
    if stale:
        await DialupAccount.delete().where(DialupAccount.id == existing["id"])
    return stale


async def _taken(hall, tenant, username: str) -> bool:
    existing = await by_username(username)
    if existing is not None and not await _free_if_stale(existing):
        return True
    try:
        return await foreign_user(radius_db(hall, tenant), username)
    except RadiusDbError:
        return False  # the name is held in the hall; provisioning checks RADIUS again when it is back


def check(tenant, username: str, password: str, again: str, offering: str) -> dict[str, tuple[str, dict]]:
    settings = tenant.plugin_settings("dialup")
    errors: dict[str, tuple[str, dict]] = {}
    problem = username_problem(username, settings)
    if problem:
        errors["username"] = (problem, {"min": settings.username_min, "max": settings.username_max})
    problem = password_problem(password, username, settings)
    if problem:
        errors["password"] = (problem, {"min": settings.password_min})
    elif password != again:
        errors["password_again"] = (N_("The two passwords are not the same."), {})
    if package(tenant, offering) is None:
        errors["offering"] = (N_("Choose one of the packages."), {})
    return errors


async def open_account(
    hall,
    tenant,
    *,
    customer_id: str,
    account_id: int,
    username: str,
    password: str,
    again: str,
    offering: str,
    token: str,
    title: str,
    language: str,
) -> dict:
    """Hold the name and place the order; the same form posted twice gives the same order. OpenErrors, ProductError."""
    username = username.strip().lower()
    request_key = f"dialup:open:{account_id}:{token}"
    existing = await by_username(username)
    if existing is not None and existing["request_key"] == request_key and existing["order_id"]:
        return await get_product_order(existing["order_id"])
    errors = check(tenant, username, password, again, offering)
    if "username" not in errors and await _taken(hall, tenant, username):
        errors["username"] = (N_("This user name is taken; choose another."), {})
    if errors:
        raise OpenErrors(errors)
    pkg = package(tenant, offering)
    held = await DialupAccount.insert(
        DialupAccount(
            username=username,
            customer_legacy_id=customer_id,
            customer_account_id=account_id,
            offering_code=pkg.code,
            kind=pkg.kind,
            password_hash=hash_password(password),
            request_key=request_key,
            created_at=clock.now(),
            updated_at=clock.now(),
        )
    ).on_conflict(action="DO NOTHING")
    if not held:
        raise OpenErrors({"username": (N_("This user name is taken; choose another."), {})})
    row_id = held[0]["id"]
    try:
        order = await place_order(
            hall,
            customer_id=customer_id,
            items=[OrderItem("add", offering=pkg.code, number=username, params={"kind": pkg.kind})],
            request_key=request_key,
            title=title,
            customer_account_id=account_id,
            language=language,
        )
    except ProductError:
        await DialupAccount.delete().where(DialupAccount.id == row_id)
        raise
    await DialupAccount.update(
        {DialupAccount.order_id: order["id"], DialupAccount.order_number: order["number"]}
    ).where(DialupAccount.id == row_id)
    return order


async def provision_now(hall, tenant, account: dict) -> dict:
    """A paid account still being set up: run its provisioning step now rather than at the next job run.

    The step is the core's own request for the order's item (its key), so this
    is the same step the job would run; a step that failed waits for an operator.
    """
    if account["state"] != ORDERED or not account["order_number"]:
        return account
    product = await product_of(account)
    if product is None or product["state"] != "pending_active" or product["problem"]:
        return account
    try:
        await act(hall, tenant, product["id"], "provision", key=f"{account['order_number']}:1:add")
    except ProductError:
        return account
    return await by_username(account["username"]) or account
