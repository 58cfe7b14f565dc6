"""The work-order API plugins and pages call: open, act (transition), claim, transfer, comment, rate.

Every call runs in one transaction with the current tenant: it changes the
order, writes one history event (and a comment when there is one), queues the
customer's message when they should hear, and calls ``workorder_changed``.
A hook that raises rolls the whole change back.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.auth.tables import Customer, CustomerAccount, Operator
from core.db import transaction
from core.i18n import N_
from core.tenancy import require_tenant
from core.utils import await_each
from core.workorders.access import (
    Actor,
    Conflict,
    InvalidData,
    NotAllowed,
    NotFound,
    WorkOrderError,
    check_operator_acts,
    can_see,
    departments_of,
)
from core.workorders.deadlines import category_of, deadline_for
from core.workorders.messages import tell_customer
from core.workorders.numbering import next_number
from core.workorders.tables import Department, WorkOrder, WorkOrderComment, WorkOrderEvent
from core.workorders.types import WorkOrderType, collect_types, types_for

MAX_COMMENT = 4000


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def type_of(hall, order: dict) -> WorkOrderType:
    return collect_types(hall)[order["type"]]


async def get_order(order_id: int, actor: Actor | None = None) -> dict:
    """The order (of the current tenant), or NotFound - also when ``actor`` may not see it."""
    order = await WorkOrder.select().where(WorkOrder.id == order_id).first()
    if order is None or (actor is not None and not await can_see(order, actor)):
        raise NotFound(N_("No such work order."))
    return order


async def _contact(customer: int | None, contact: dict[str, str]) -> dict[str, str]:
    """A customer's order carries their contact on file (for messages); a visitor's the contact they gave."""
    out = {k: (contact.get(k) or "").strip()[:n] for k, n in (("name", 100), ("phone", 32), ("email", 254))}
    if customer is None:
        if not out["phone"] and not out["email"]:
            raise InvalidData({"contact_phone": N_("Give a phone number or an e-mail address so we can answer you.")})
        return out
    account = await CustomerAccount.select().where(CustomerAccount.id == customer).first()
    if account is None:
        raise NotFound(N_("No such customer."))
    person = await Customer.select().where(Customer.legacy_id == account["customer_legacy_id"]).first() or {}
    return {
        "name": out["name"] or person.get("name", ""),
        "phone": out["phone"] or person.get("phone", ""),
        "email": out["email"] or account["email"] or person.get("email", ""),
    }


async def _department_id(code: str | None) -> int | None:
    if not code:
        return None
    row = await Department.select(Department.id).where((Department.code == code) & (Department.active == True)).first()  # noqa: E712
    return row["id"] if row else None


async def record_change(
    hall,
    tenant,
    order_id: int,
    actor: Actor,
    action: str,
    from_state: str,
    to_state: str,
    details: dict[str, Any],
    comment: str = "",
    public: bool = False,
) -> tuple[dict, dict]:
    """Write the event (and comment), then tell the plugins. Inside the caller's transaction."""
    at = now()
    if comment:
        await WorkOrderComment.insert(
            WorkOrderComment(
                workorder=order_id,
                public=public,
                author_kind=actor.kind,
                author_id=actor.id,
                author_name=actor.name,
                body=comment,
                at=at,
            )
        )
    rows = await WorkOrderEvent.insert(
        WorkOrderEvent(
            workorder=order_id,
            action=action,
            actor_kind=actor.kind,
            actor_id=actor.id,
            actor_name=actor.name[:100],
            from_state=from_state,
            to_state=to_state,
            details=details,
            at=at,
        )
    )
    event = await WorkOrderEvent.select().where(WorkOrderEvent.id == rows[0]["id"]).first()
    order = await WorkOrder.select().where(WorkOrder.id == order_id).first()
    await await_each(hall.hooks_for(tenant).workorder_changed(hall=hall, tenant=tenant, order=order, event=event))
    return order, event


def _unchanged(order: dict):
    """WHERE the order is still as we read it (state, owner, department): a concurrent change makes our update miss."""
    clause = (WorkOrder.id == order["id"]) & (WorkOrder.state == order["state"])
    for column, value in ((WorkOrder.assignee, order["assignee"]), (WorkOrder.department, order["department"])):
        clause &= column.is_null() if value is None else column == value
    return clause


async def _update(order: dict, values: dict, also=None) -> None:
    clause = _unchanged(order) if also is None else _unchanged(order) & also
    if not await WorkOrder.update(values).where(clause).returning(WorkOrder.id):
        raise Conflict(N_("Someone else changed this work order meanwhile; look at it again."))


def _clean_comment(text: str) -> str:
    text = (text or "").strip()
    if len(text) > MAX_COMMENT:
        raise InvalidData({"comment": N_("This text is too long.")})
    return text


async def open_order(
    hall,
    type_code: str,
    data: dict[str, Any],
    *,
    title: str,
    actor: Actor,
    customer: int | None = None,
    contact: dict[str, str] | None = None,
    language: str = "",
    department: str | None = None,
) -> dict:
    """Open an order of ``type_code`` for a customer (CustomerAccount id) or a visitor (``contact``).

    ``data`` is checked by the type's ``validate``; the department is ``department``
    (a code) or the type's ``route``. An operator who opens an order owns it.
    """
    tenant = require_tenant()
    wt = types_for(hall, tenant).get(type_code)
    if wt is None:
        raise NotFound(N_("No such work-order type."))
    errors = dict(wt.validate(data) if wt.validate else {})
    title = (title or "").strip()[:200]
    if not title:
        errors["title"] = N_("This field is required.")
    if errors:
        raise InvalidData(errors)
    if actor.kind == "customer":
        customer = actor.id
    who = await _contact(customer, contact or {})
    dept = await _department_id(department or (wt.route(tenant, data) if wt.route else None))
    category = category_of(wt, data)
    start = now()
    owner = actor.id if actor.kind == "operator" else None
    async with transaction():
        number = await next_number(wt.prefix, start)
        rows = await WorkOrder.insert(
            WorkOrder(
                number=number,
                type=wt.code,
                state=wt.initial,
                title=title,
                data=data,
                customer=customer,
                contact_name=who["name"],
                contact_phone=who["phone"],
                contact_email=who["email"],
                language=language[:8],
                department=dept,
                assignee=owner,
                category=category,
                created_at=start,
                updated_at=start,
                deadline_at=deadline_for(wt, category, tenant, start),
            )
        )
        order, _ = await record_change(
            hall, tenant, rows[0]["id"], actor, "open", "", wt.initial, {"number": number, "department": dept}
        )
        await tell_customer(hall, tenant, order, wt)
    return order


async def transition(hall, order_id: int, action: str, actor: Actor, comment: str = "") -> dict:
    """Take one of the type's actions. Operators must be allowed (permission, ownership); customers own the order."""
    tenant = require_tenant()
    comment = _clean_comment(comment)
    async with transaction():
        order = await get_order(order_id, actor)
        wt = type_of(hall, order)
        t = wt.transition(action)
        if t is None or order["state"] not in t.sources:
            raise Conflict(N_("This action is not possible in the order's current state."))
        if t.actor != actor.kind:
            raise NotAllowed(N_("You may not take this action."))
        if t.needs_comment and not comment:
            raise InvalidData({"comment": N_("This field is required.")})
        claims = False
        if actor.kind == "operator":
            if not actor.can(t.permission):
                raise NotAllowed(N_("You may not take this action."))
            claims = await check_operator_acts(order, actor)
        values: dict = {WorkOrder.state: t.target, WorkOrder.updated_at: now()}
        if claims:
            values[WorkOrder.assignee] = actor.id
        if actor.kind == "operator" and t.public and order["first_response_at"] is None:
            values[WorkOrder.first_response_at] = now()
        reopened = order["state"] in wt.resolved_states and t.target not in wt.resolved_states
        if reopened:
            values.update(
                {
                    WorkOrder.reopen_count: order["reopen_count"] + 1,
                    WorkOrder.resolved_at: None,
                    WorkOrder.closed_at: None,
                    WorkOrder.rating: None,
                }
            )
        if t.target in wt.resolved_states and (order["resolved_at"] is None or reopened):
            values[WorkOrder.resolved_at] = now()
        if t.target in wt.terminal:
            values[WorkOrder.closed_at] = now()
        await _update(order, values)
        order, _ = await record_change(
            hall,
            tenant,
            order_id,
            actor,
            action,
            order["state"],
            t.target,
            {"claimed": claims, "reopened": reopened},
            comment,
            public=t.public,
        )
        if t.public and actor.kind != "customer":
            await tell_customer(hall, tenant, order, wt, comment)
    return order


async def claim(hall, order_id: int, actor: Actor) -> dict:
    """Take ownership of an unowned order (the first responder); claiming one's own order changes nothing."""
    tenant = require_tenant()
    if actor.kind != "operator" or actor.id is None:
        raise NotAllowed(N_("Only operators claim work orders."))
    async with transaction():
        order = await get_order(order_id, actor)
        if order["assignee"] == actor.id:
            return order
        if order["assignee"] is not None:
            raise NotAllowed(
                N_("Another operator owns this work order; ask them or the department head to transfer it.")
            )
        if order["closed_at"] is not None:
            raise Conflict(N_("This work order is closed."))
        done = (
            await WorkOrder.update({WorkOrder.assignee: actor.id, WorkOrder.updated_at: now()})
            .where((WorkOrder.id == order_id) & WorkOrder.assignee.is_null())
            .returning(WorkOrder.id)
        )
        if not done:
            raise Conflict(N_("Someone else claimed this work order a moment ago."))
        order, _ = await record_change(hall, tenant, order_id, actor, "claim", order["state"], order["state"], {})
    return order


async def transfer(
    hall, order_id: int, actor: Actor, *, reason: str, department: str | None = None, operator: int | None = None
) -> dict:
    """Formally hand an order to another department (unowned there) and/or operator (who then owns it).

    The owner, the head of the order's department and supervisors may transfer.
    A target operator must be an active member of the target department.
    """
    tenant = require_tenant()
    reason = _clean_comment(reason)
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = N_("This field is required.")
    if not department and operator is None:
        errors["department"] = N_("Choose a department or an operator.")
    if errors:
        raise InvalidData(errors)
    if actor.kind != "operator":
        raise NotAllowed(N_("You may not take this action."))
    async with transaction():
        order = await get_order(order_id, actor)
        if order["closed_at"] is not None:
            raise Conflict(N_("This work order is closed."))
        await check_operator_acts(order, actor)
        dept_id = order["department"]
        if department:
            dept_id = await _department_id(department)
            if dept_id is None:
                raise InvalidData({"department": N_("No such department.")})
        if operator is not None:
            target = await Operator.select(Operator.id, Operator.active).where(Operator.id == operator).first()
            if (
                target is None
                or not target["active"]
                or (dept_id is not None and dept_id not in await departments_of(operator))
            ):
                raise InvalidData({"operator": N_("Choose an active member of the department.")})
        values = {WorkOrder.department: dept_id, WorkOrder.assignee: operator, WorkOrder.updated_at: now()}
        await _update(order, values)
        details = {
            "from_department": order["department"],
            "to_department": dept_id,
            "from_assignee": order["assignee"],
            "to_assignee": operator,
            "reason": reason,
        }
        order, _ = await record_change(
            hall, tenant, order_id, actor, "transfer", order["state"], order["state"], details
        )
    return order


async def comment(hall, order_id: int, actor: Actor, body: str, *, public: bool) -> dict:
    """Add a note. Public notes reach the customer and count as acting (they claim an unowned order);
    internal notes may be added by any operator who sees the order. Customers write public notes only."""
    tenant = require_tenant()
    body = _clean_comment(body)
    if not body:
        raise InvalidData({"comment": N_("This field is required.")})
    async with transaction():
        order = await get_order(order_id, actor)
        if order["closed_at"] is not None:
            raise Conflict(N_("This work order is closed."))
        values: dict = {WorkOrder.updated_at: now()}
        claims = False
        if actor.kind == "customer":
            public = True
        elif actor.kind == "operator" and public:
            claims = await check_operator_acts(order, actor)
            if claims:
                values[WorkOrder.assignee] = actor.id
            if order["first_response_at"] is None:
                values[WorkOrder.first_response_at] = now()
        await _update(order, values)
        order, _ = await record_change(
            hall,
            tenant,
            order_id,
            actor,
            "comment",
            order["state"],
            order["state"],
            {"public": public, "claimed": claims},
            body,
            public=public,
        )
        if public and actor.kind != "customer":
            await tell_customer(hall, tenant, order, type_of(hall, order), body)
    return order


async def rate(hall, order_id: int, actor: Actor, score: int, remark: str = "") -> dict:
    """The customer's satisfaction (1-5), once, after the order is resolved."""
    tenant = require_tenant()
    remark = _clean_comment(remark)
    if actor.kind != "customer":
        raise NotAllowed(N_("Only the customer rates a work order."))
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise InvalidData({"rating": N_("Choose from 1 to 5.")})
    async with transaction():
        order = await get_order(order_id, actor)
        if order["state"] not in type_of(hall, order).resolved_states or order["rating"] is not None:
            raise Conflict(N_("This work order cannot be rated now."))
        await _update(order, {WorkOrder.rating: score, WorkOrder.updated_at: now()}, WorkOrder.rating.is_null())
        order, _ = await record_change(
            hall,
            tenant,
            order_id,
            actor,
            "rate",
            order["state"],
            order["state"],
            {"rating": score},
            remark,
            public=True,
        )
    return order


__all__ = [
    "Actor",
    "Conflict",
    "InvalidData",
    "NotAllowed",
    "NotFound",
    "WorkOrderError",
    "claim",
    "comment",
    "get_order",
    "open_order",
    "rate",
    "transfer",
    "transition",
    "type_of",
]
