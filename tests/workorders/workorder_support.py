"""A test-only plugin that declares one work-order type, so the core is tested without the service plugin."""

from __future__ import annotations

import types

from core.auth.permissions import Permission
from core.hookspecs import hookimpl
from core.testing import TenantSpec, add_operator, make_customer, register_customer
from core.workorders import Actor, State, Transition, WorkOrderType
from core.workorders.settings import WorkOrderDeadlines

TOPICS = ("billing", "network", "other")


def validate(data: dict) -> dict:
    errors = {}
    if data.get("topic") not in TOPICS:
        errors["topic"] = "Choose a topic."
    if not str(data.get("text") or "").strip():
        errors["text"] = "This field is required."
    return errors


TICKET = WorkOrderType(
    code="testwo.ticket",
    label="Ticket",
    prefix="TK",
    states=(
        State("new", "New"),
        State("in_progress", "In progress"),
        State("waiting", "Waiting for you"),
        State("resolved", "Resolved"),
        State("closed", "Closed"),
    ),
    transitions=(
        Transition("start", "Start", ("new",), "in_progress"),
        Transition("ask", "Ask the customer", ("in_progress",), "waiting", needs_comment=True),
        Transition("answer", "Answer", ("waiting",), "in_progress", actor="customer", needs_comment=True),
        Transition(
            "resolve", "Resolve", ("new", "in_progress"), "resolved", permission="testwo.resolve", needs_comment=True
        ),
        Transition("note", "Internal step", ("in_progress",), "in_progress", public=False),
        Transition("reopen", "Not solved", ("resolved",), "in_progress", actor="customer"),
        Transition("close", "Close", ("resolved",), "closed", actor="customer"),
        Transition("cancel", "Withdraw", ("new",), "closed", actor="customer"),
    ),
    initial="new",
    terminal=("closed",),
    resolved=("resolved", "closed"),
    deadline_hours=24,
    category_deadline_hours={"network": 4},
    deadline_key=lambda d: d.get("topic"),
    validate=validate,
    route=lambda tenant, d: "BILL" if d.get("topic") == "billing" else "CS",
)


class TestwoSettings(WorkOrderDeadlines):
    """Settings of the test plugin."""

    WORKORDER_TYPES = ("ticket",)


def make_plugin(seen: list | None = None):
    """A fresh plugin module; ``seen`` collects (tenant, action, from, to) of every workorder_changed call."""
    plugin = types.ModuleType("testwo")

    @hookimpl
    def register_workorder_types(hall):
        return [TICKET]

    @hookimpl
    def register_permissions(hall):
        return [Permission("testwo.resolve", "Resolve test tickets")]

    @hookimpl
    def workorder_changed(hall, tenant, order, event):
        if seen is not None:
            seen.append((tenant.id, order["number"], event["action"], event["from_state"], event["to_state"]))

    @hookimpl
    def register_settings(hall):
        return TestwoSettings

    plugin.register_settings = register_settings
    plugin.register_workorder_types = register_workorder_types
    plugin.register_permissions = register_permissions
    plugin.workorder_changed = workorder_changed
    return plugin


HANDLER = ["core.workorders.handle"]


def build(hall_factory, seen=None, **kwargs):
    """Two tenants using the test type, each with departments CS and BILL, operators and a customer."""
    harness = hall_factory(
        [TenantSpec("alpha", plugins=["testwo"], **kwargs), TenantSpec("beta", plugins=["testwo"])],
        extra_plugins={"testwo": make_plugin(seen)},
    )
    ids = {}
    for tid in ("alpha", "beta"):
        ids[tid] = {
            "ann": add_operator(harness, tid, f"{tid}-ann", permissions=HANDLER + ["testwo.resolve"]),
            "bob": add_operator(harness, tid, f"{tid}-bob", permissions=HANDLER + ["testwo.resolve"]),
            "carl": add_operator(harness, tid, f"{tid}-carl", permissions=HANDLER),  # billing clerk, no resolve
            "head": add_operator(harness, tid, f"{tid}-head", permissions=HANDLER),
            "boss": add_operator(
                harness, tid, f"{tid}-boss", permissions=["core.workorders.supervise", "testwo.resolve"]
            ),
        }
        harness.in_tenant(tid, seed_departments, ids[tid])
        customer = make_customer(40 if tid == "alpha" else 41, email=f"cust-{tid}@example.com")
        ids[tid]["customer"] = register_customer(harness, tid, customer)
        ids[tid]["customer_number"] = customer.numbers[0].number
    return harness, ids


async def seed_departments(ids: dict) -> None:
    from core.workorders.departments import add_member, save_department

    cs = await save_department("CS", "Customer service", head=ids["head"], email="cs-head@example.com")
    bill = await save_department("BILL", "Billing", head=ids["head"], email="")
    for name in ("ann", "bob"):
        await add_member(cs, ids[name])
    await add_member(bill, ids["carl"])


def operator(ids: dict, name: str, tid: str = "alpha") -> Actor:
    perms = {"boss": ["core.workorders.supervise", "testwo.resolve"], "carl": HANDLER, "head": HANDLER}.get(
        name, HANDLER + ["testwo.resolve"]
    )
    return Actor("operator", ids[name], f"{tid}-{name}", frozenset(perms))


def customer(ids: dict) -> Actor:
    return Actor("customer", ids["customer"], "customer")
