"""The line's service orders: suspension with a reason and a date (keeping the number), resumption, move to a new
address, termination with the final settlement. Each is a product order; what it does to the line happens when the
back office completes it (the ``line_service`` request is provisioned: ``provision_line_service``)."""

from __future__ import annotations

import datetime as dt
import secrets

from core.api import N_, zone_of
from core.api.db import transaction
from core.api.identity import linked_numbers
from core.api.legacy import Bill, balance_of
from core.api.products import SUSPENDED, OrderItem, act, place_order, products_on_numbers, schedule
from core.api.web import FieldErrors

from . import clock
from .install import Customer, check_address, check_slot
from .service_process import PROCESSES

PAST_DAY = N_("The date is in the past. Please choose today or a later day.")


async def lines(hall, tenant, customer: Customer) -> list[dict]:
    """The customer's lines (products of the core's ``line`` specification) on their linked numbers."""
    numbers = await linked_numbers(customer.account_id)
    return await products_on_numbers(hall, tenant, customer.legacy_id, numbers, specification="line")


def allowed(line: dict) -> list[str]:
    """The service orders open to a line in its state."""
    if line["state"] == SUSPENDED:
        return (
            ["resume", "terminate"]
            if "customer" in str(line.get("suspend_reasons") or "").split(",")
            else ["terminate"]
        )
    if line["state"] == "active":
        return ["suspend", "move", "terminate"]
    return []


async def settlement(hall, tenant, line: dict) -> dict:
    """The final settlement shown before a termination: the balance (when the BSS says) and bills not paid."""
    balance = await balance_of(hall, tenant, line["account_legacy_id"] or line["number"])
    bills = await Bill.select(Bill.month, Bill.amount_fen, Bill.paid_fen).where(
        (Bill.number == line["number"]) & (Bill.status != "paid")
    )
    owed = sum(int(b["amount_fen"]) - int(b["paid_fen"]) for b in bills)
    credit = balance.balance_fen if balance and balance.balance_fen is not None else None
    return {"balance_fen": credit, "bills": bills, "owed_fen": owed, "refund_fen": max((credit or 0) - owed, 0)}


def check_day(tenant, form, problems: FieldErrors) -> str:
    try:
        day = dt.date.fromisoformat(form.value("date"))
    except ValueError:
        problems.add("date", N_("Enter a date like 2026-07-01."))
        return ""
    if day < clock.now().astimezone(zone_of(tenant)).date():
        problems.add("date", PAST_DAY)
    return day.isoformat()


async def order(hall, tenant, settings, customer: Customer, line: dict, kind: str, form, title: str, language: str):
    """Check the form for ``kind`` (FieldErrors beside each field) and place the order."""
    problems = FieldErrors()
    params: dict = {"line_product": line["id"], "service": kind}
    if kind == "suspend":
        reason = form.value("reason")[:200]
        if not reason:
            problems.add("reason", N_("This field is required."))
        params |= {"reason": reason, "date": check_day(tenant, form, problems)}
    elif kind == "move":
        params |= check_address(settings, form, problems) | check_slot(tenant, settings, form, problems)
    if problems.errors:
        raise problems
    if kind == "terminate":
        item = OrderItem("delete", product_id=line["id"])
    else:
        item = OrderItem("add", offering=f"phone-{kind}", number=line["number"], params=params)
    token = (form.value("token") or secrets.token_urlsafe(8))[:40]
    return await place_order(
        hall,
        customer_id=customer.legacy_id,
        items=[item],
        request_key=f"phone:{kind}:{customer.account_id}:{line['id']}:{token}",
        title=title,
        process=PROCESSES[kind].code,
        customer_account_id=customer.account_id,
        language=language,
    )


async def provision_line_service(hall, tenant, product, call) -> None:
    """The back office completed a service request: do it to the line (suspend now or on its date, resume)."""
    params, line_id = call.params or {}, (call.params or {}).get("line_product")
    kind = params.get("service")
    if not line_id or kind not in ("suspend", "resume"):
        return  # a move changes nothing the hall keeps: the BSS has the new address from the order
    if kind == "resume":
        await act(hall, tenant, int(line_id), "resume", key=f"{call.key}:line", params={"reason": "customer"})
        return
    day = dt.date.fromisoformat(params["date"])
    start = dt.datetime.combine(day, dt.time(), zone_of(tenant)).astimezone(dt.timezone.utc)
    if start <= clock.now():
        await act(hall, tenant, int(line_id), "suspend", key=f"{call.key}:line", params={"reason": "customer"})
    else:
        async with transaction():
            await schedule(int(line_id), "suspend", start, {"reason": "customer"})
