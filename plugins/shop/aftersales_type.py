"""The work-order type of after-sales requests, ``shop.aftersales`` (numbers SH-2026-000001). See docs/shop.md.

Operators accept, claim, transfer and annotate a request in the core's work-order
console; the decisions need more than a note (an amount, a shipment), so they are
taken on the shop's console order page (``offered=False``: no button elsewhere),
which changes the request, the refund or the stock and the work order in one go.
"""

from __future__ import annotations

from core.api import N_
from core.api.workorders import State, Transition, WorkOrderType
from plugins.shop.aftersales_tables import KINDS

CODE = "shop.aftersales"
DECIDE = "shop.orders"
KIND_LABELS = {"return": N_("Return"), "exchange": N_("Exchange"), "lost_card": N_("Lost card")}
# the decision's work-order action, by the request's new state
ACTIONS = {"refund": "approve_refund", "exchange": "approve_exchange", "rejected": "reject"}
MIN_REASON, MAX_REASON = 5, 500


def validate(data: dict) -> dict:
    errors = {}
    if data.get("kind") not in KINDS:
        errors["kind"] = N_("Choose what you would like us to do.")
    reason = str(data.get("reason") or "").strip()
    if not reason:
        errors["reason"] = N_("This field is required.")
    elif not MIN_REASON <= len(reason) <= MAX_REASON:
        errors["reason"] = N_("Tell us in 5 to 500 characters what happened.")
    return errors


def route(tenant, data: dict) -> str:
    """The department of after-sales requests ([plugins.shop] aftersales_department)."""
    return tenant.plugin_settings("shop").aftersales_department


AFTERSALES = WorkOrderType(
    code=CODE,
    label=N_("Card shop after-sales request"),
    prefix="SH",
    states=(
        State("new", N_("Received")),
        State("handling", N_("Being handled")),
        State("refund", N_("Approved with a refund")),
        State("exchange", N_("Approved with an exchange")),
        State("rejected", N_("Not approved")),
        State("withdrawn", N_("Withdrawn")),
    ),
    transitions=(
        Transition("accept", N_("Accept and handle"), ("new",), "handling"),
        Transition(
            "approve_refund",
            N_("Approve with a refund"),
            ("new", "handling"),
            "refund",
            permission=DECIDE,
            offered=False,
        ),
        Transition(
            "approve_exchange",
            N_("Approve with an exchange"),
            ("new", "handling"),
            "exchange",
            permission=DECIDE,
            offered=False,
        ),
        Transition(
            "reject",
            N_("Do not approve"),
            ("new", "handling"),
            "rejected",
            permission=DECIDE,
            needs_comment=True,
            offered=False,
        ),
        Transition("withdraw", N_("Withdraw the request"), ("new", "handling"), "withdrawn", actor="customer"),
    ),
    initial="new",
    terminal=("refund", "exchange", "rejected", "withdrawn"),
    resolved=("refund", "exchange", "rejected"),
    deadline_hours=48,
    validate=validate,
    route=route,
    notify_customer=False,  # the shop tells the buyer itself, with the order's link (plugins/shop/notices.py)
)
