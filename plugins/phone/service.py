"""The line's service orders: suspension with a reason and a date (keeping the number), resumption, move to a new
address, termination with the final settlement. Each is a product order that modifies (or deletes) the line itself:
the core suspends, resumes or changes the line's address when the back office completes it."""

from __future__ import annotations

import datetime as dt
import secrets

from core.api import N_, zone_of
from core.api.db import transaction
from core.api.identity import linked_numbers
from core.api.legacy import Bill, balance_of
from core.api.products import (
    ACTIVE,
    SUSPENDED,
    OrderItem,
    Product,
    act,
    place_order,
    products_on_numbers,
    schedule,
)
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
    """Check the form for ``kind`` (FieldErrors beside each field) and place the order: a ``modify`` of the line
    itself (suspended or resumed for the reason ``customer``, a new address) or a ``delete`` (terminated)."""
    problems = FieldErrors()
    params: dict = {"service": kind}
    when = None
    if kind == "suspend":
        remark = form.value("reason")[:200]
        if not remark:
            problems.add("reason", N_("This field is required."))
        day = check_day(tenant, form, problems)
        params |= {"remark": remark, "date": day}
        if day and not problems.errors:
            start = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(), zone_of(tenant))
            when = max(start.astimezone(dt.timezone.utc), clock.now())
    elif kind == "move":
        address = check_address(settings, form, problems)
        params |= address | check_slot(tenant, settings, form, problems) | {"characteristics": {"address": address}}
    if problems.errors:
        raise problems
    if kind == "terminate":
        settled = await _settled(hall, tenant, line)
        item = OrderItem(
            "delete", product_id=line["id"], effective="immediate", params={**params, "settlement": settled}
        )
    else:
        change = "characteristics" if kind == "move" else kind
        item = OrderItem("modify", product_id=line["id"], change=change, effective_at=when, params=params)
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


async def _settled(hall, tenant, line: dict) -> dict:
    """The final settlement as the customer saw it, kept with the termination for the back office and the BSS."""
    s = await settlement(hall, tenant, line)
    return {"balance_fen": s["balance_fen"], "owed_fen": s["owed_fen"], "refund_fen": s["refund_fen"]}


async def provision_line_service(hall, tenant, product, call) -> None:
    """An order placed before service requests modified the line itself (a ``line_service`` product was added):
    do its change to the line. The record it left is ended by :func:`end_request_records`."""
    params, line_id = call.params or {}, (call.params or {}).get("line_product")
    kind = params.get("service")
    if not line_id or kind not in ("suspend", "resume"):
        return
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


async def end_request_records(hall, tenant) -> int:
    """End the ``line_service`` products older orders left on My products: they were records of a request, never
    something the customer has. Ended through the lifecycle (bookkeeping only: nothing outside to call)."""
    rows = await Product.select(Product.id).where(
        (Product.specification == "line_service") & Product.state.is_in([ACTIVE, SUSPENDED])
    )
    for row in rows:
        await act(hall, tenant, row["id"], "terminate", key=f"phone:record:{row['id']}", params={"reason": "record"})
    return len(rows)
