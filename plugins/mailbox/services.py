"""What the mailbox pages do: apply (a product order with an approval step), the customer's mailboxes as they
stand, password and forwarding changes, stopping, and paying fees in advance (续费) through the payment core."""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from core.api import N_
from core.api.db import transaction
from core.api.identity import customer_for_account, linked_numbers
from core.api.products import OrderItem, ProductError, ProductOrder, catalog, place_order
from core.api.web import FieldErrors, ThrottleRule, reserve_attempt

from . import addresses, publishing
from .passwords import hash_for_dovecot, weak
from .process import PROCESS
from .tables import FREE, Mailbox

log = logging.getLogger("hall.mailbox")
SPEC = "mailbox"


def field_error(name: str, message: str) -> FieldErrors:
    found = FieldErrors()
    found.add(name, message)
    return found


HOUR = dt.timedelta(hours=1)
TOO_MANY = N_("Too many requests; please wait a moment.")


async def _count(key: str, limit: int, field: str) -> None:
    """One attempt of a logged-in customer, counted in the core's throttle table; refused past ``limit`` an hour."""
    held = await reserve_attempt(ThrottleRule(key, HOUR, limit=limit))
    if not held.ok:
        raise field_error(field, TOO_MANY)


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def new_token() -> str:
    """The application form's token: the same form posted twice makes one application."""
    return secrets.token_urlsafe(16)


async def customer_of(account_id: int) -> str:
    found = await customer_for_account(account_id)
    return found[1]["legacy_id"] if found else ""


async def offerings(hall, tenant) -> list:
    return (await catalog(hall, tenant)).orderable(SPEC)


async def refresh(box: dict) -> dict:
    """An application whose order was rejected or withdrawn becomes ``rejected``, with the reason the customer reads."""
    if box["state"] != "applied" or box["order_id"] is None:
        return box
    order = await ProductOrder.select().where(ProductOrder.id == box["order_id"]).first()
    if order is None or order["state"] not in ("failed", "cancelled"):
        return box
    note = order["note"] or ""
    await Mailbox.update({Mailbox.state: "rejected", Mailbox.note: note, Mailbox.updated_at: now()}).where(
        (Mailbox.id == box["id"]) & (Mailbox.state == "applied")
    )
    return {**box, "state": "rejected", "note": note}


async def mailboxes_of(customer_id: str) -> list[dict]:
    rows = await Mailbox.select().where(Mailbox.customer_legacy_id == customer_id).order_by(Mailbox.id, ascending=False)
    return [await refresh(r) for r in rows]


async def mailbox_of(customer_id: str, box_id: int) -> dict | None:
    row = await Mailbox.select().where((Mailbox.id == box_id) & (Mailbox.customer_legacy_id == customer_id)).first()
    return await refresh(row) if row else None


async def address_taken(address: str) -> bool:
    row = await Mailbox.select().where(Mailbox.address == address).first()
    if row is None:
        return False
    row = await refresh(row)
    return row["state"] not in FREE


async def apply(hall, tenant, settings, *, account_id: int, values: dict, token: str, title: str, language: str):
    """Check the form, reserve the address and place the order; FieldErrors (nothing written) or the order."""
    customer = await customer_of(account_id)
    key = f"mailbox:{account_id}:{token[:40]}"
    earlier = await ProductOrder.select().where(ProductOrder.request_key == key).first()
    if earlier is not None:  # the same form again (a double click): the same application
        return earlier
    await _count(f"mailbox:apply:{account_id}", 20, "local_part")
    problems: dict[str, str] = {}
    local, problem = addresses.normalise(values.get("local_part", ""), settings.domain)
    problem = problem or addresses.local_part_problem(local, settings)
    address = f"{local}@{settings.domain}"
    if problem:
        problems["local_part"] = problem
    elif await address_taken(address):
        problems["local_part"] = N_("This address is taken; choose another.")
    password = values.get("password", "")
    problems.update({"password": weak(password, local)} if weak(password, local) else {})
    if not problems.get("password") and password != values.get("password2", ""):
        problems["password2"] = N_("The two passwords differ.")
    offering = next((o for o in await offerings(hall, tenant) if o.code == values.get("offering")), None)
    if offering is None:
        problems["offering"] = N_("Choose one of the mailbox sizes.")
    numbers = await linked_numbers(account_id)
    number = values.get("number", "")
    if number not in numbers:
        problems["number"] = N_("Choose one of your numbers.")
    if problems:
        params = {"min": settings.min_length, "domain": settings.domain}
        found = FieldErrors()
        for name, message in problems.items():
            found.add(name, message, **{k: v for k, v in params.items() if f"%({k})s" in message})
        raise found
    quota = quota_of(settings, offering.code)
    stamp = now()
    async with transaction():
        await Mailbox.delete().where((Mailbox.address == address) & Mailbox.state.is_in(list(FREE)))
        rows = await Mailbox.insert(
            Mailbox(
                address=address,
                local_part=local,
                domain=settings.domain,
                customer_legacy_id=customer,
                account_id=account_id,
                billing_number=number,
                offering_code=offering.code,
                quota_mb=quota,
                password_hash=hash_for_dovecot(password),
                state="applied",
                created_at=stamp,
                updated_at=stamp,
            )
        ).on_conflict(action="DO NOTHING")
    if not rows:
        raise field_error("local_part", N_("This address is taken; choose another."))
    box_id = rows[0]["id"]
    try:
        order = await place_order(
            hall,
            customer_id=customer,
            items=[
                OrderItem(
                    "add",
                    offering=offering.code,
                    number=number,
                    params={
                        "mailbox_id": box_id,
                        "characteristics": {"mailbox_id": box_id, "address": address, "quota_mb": quota},
                    },
                )
            ],
            request_key=key,
            title=title % {"address": address},
            process=PROCESS,
            customer_account_id=account_id,
            language=language,
        )
    except ProductError:
        await Mailbox.delete().where(Mailbox.id == box_id)
        raise
    await Mailbox.update({Mailbox.order_id: order["id"]}).where(Mailbox.id == box_id)
    return order


def quota_of(settings, code: str) -> int:
    return next((p.quota_mb for p in settings.products if p.code == code), 0)


def fee_of(settings, code: str) -> int:
    return next((p.monthly_fee_fen for p in settings.products if p.code == code), 0)


async def change_password(settings, box: dict, password: str, password2: str) -> bool:
    """A new password for a mailbox in Dovecot; FieldErrors when refused. False: saved, not yet on the server."""
    await _count(f"mailbox:password:{box['id']}", 10, "password")
    problem = weak(password, box["local_part"])
    if problem:
        raise field_error("password", problem)
    if password != password2:
        raise field_error("password2", N_("The two passwords differ."))
    if box["state"] not in ("applied", "active", "suspended"):
        raise field_error("password", N_("This mailbox is closed."))
    async with transaction():
        await Mailbox.update({Mailbox.password_hash: hash_for_dovecot(password), Mailbox.updated_at: now()}).where(
            Mailbox.id == box["id"]
        )
        await publishing.event("mailbox.password_changed", box, key=f"password:{box['id']}:{secrets.token_hex(8)}")
    return await publishing.try_publish(settings)


async def set_forwarding(settings, box: dict, target: str) -> bool:
    """Forward a copy of every message to ``target`` ("" stops it); FieldErrors when refused."""
    target = (target or "").strip().lower()
    if target:
        local, _, domain = target.partition("@")
        if not local or "." not in domain or len(target) > 254 or any(c in target for c in ' "\\;:,<>()[]'):
            raise field_error("forward_to", N_("Enter an e-mail address."))
        if target == box["address"]:
            raise field_error("forward_to", N_("A mailbox cannot forward to itself."))
    if box["state"] not in ("active", "suspended"):
        raise field_error("forward_to", N_("This mailbox is not open."))
    await Mailbox.update({Mailbox.forward_to: target, Mailbox.updated_at: now()}).where(Mailbox.id == box["id"])
    return await publishing.try_publish(settings)


async def stop(hall, tenant, box: dict, *, account_id: int, title: str, language: str) -> dict:
    """Stop the mailbox now (an order deleting its product; the mail is kept for the retention period)."""
    if box["state"] not in ("active", "suspended") or box["product_id"] is None:
        raise ProductError(N_("This mailbox is not open."))
    return await place_order(
        hall,
        customer_id=box["customer_legacy_id"],
        items=[OrderItem("delete", product_id=box["product_id"], effective="immediate")],
        request_key=f"mailbox-stop:{box['id']}",
        title=title % {"address": box["address"]},
        customer_account_id=account_id,
        language=language,
    )
