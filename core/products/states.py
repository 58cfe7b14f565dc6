"""The two state machines, in TM Forum's names: a product (TMF637) and a product order (TMF622).

Kept apart from the code that moves them so that a test, the console and the
docs read one table. Every move goes through :func:`check_product_move` or
:func:`check_order_move`; an illegal one raises :class:`IllegalTransition`.
"""

from __future__ import annotations

from core.i18n import N_

# -- products (TMF637 ProductStatusType) -------------------------------------------------------------
CREATED = "created"
PENDING_ACTIVE = "pending_active"
ACTIVE = "active"
SUSPENDED = "suspended"
PENDING_TERMINATE = "pending_terminate"
TERMINATED = "terminated"

PRODUCT_STATES = (CREATED, PENDING_ACTIVE, ACTIVE, SUSPENDED, PENDING_TERMINATE, TERMINATED)
PRODUCT_MOVES: dict[str, frozenset[str]] = {
    CREATED: frozenset({PENDING_ACTIVE, TERMINATED}),  # terminated: the order was abandoned before provisioning
    PENDING_ACTIVE: frozenset({ACTIVE, TERMINATED}),  # terminated: provisioning given up (never silently)
    ACTIVE: frozenset({SUSPENDED, PENDING_TERMINATE}),
    SUSPENDED: frozenset({ACTIVE, PENDING_TERMINATE}),
    PENDING_TERMINATE: frozenset({TERMINATED, ACTIVE, SUSPENDED}),  # back: a dated termination withdrawn
    TERMINATED: frozenset(),
}
LIVE = (ACTIVE, SUSPENDED, PENDING_TERMINATE)  # products the customer has (and may be charged for)

# Why a product is suspended. Kept apart so that paying arrears resumes only what arrears suspended
# (欠费停机 / 复机), never a customer's own suspension (报停) or an operator's.
SUSPEND_REASONS = ("customer", "arrears", "operator")

PRODUCT_LABELS = {
    CREATED: N_("Ordered"),
    PENDING_ACTIVE: N_("Being set up"),
    ACTIVE: N_("Active"),
    SUSPENDED: N_("Suspended"),
    PENDING_TERMINATE: N_("Ending"),
    TERMINATED: N_("Ended"),
}
SUSPEND_LABELS = {
    "customer": N_("at your request"),
    "arrears": N_("for arrears"),
    "operator": N_("by the operator"),
}

# -- product orders (TMF622 ProductOrderStateType) ---------------------------------------------------
ACKNOWLEDGED = "acknowledged"
PENDING = "pending"  # waiting for the customer (the payment step)
HELD = "held"  # waiting for something outside the order: a failed step an operator must retry
IN_PROGRESS = "in_progress"
COMPLETED = "completed"
FAILED = "failed"
CANCELLED = "cancelled"

ORDER_STATES = (ACKNOWLEDGED, PENDING, IN_PROGRESS, HELD, COMPLETED, FAILED, CANCELLED)
ORDER_MOVES: dict[str, frozenset[str]] = {
    PENDING: frozenset({ACKNOWLEDGED, CANCELLED, FAILED}),
    ACKNOWLEDGED: frozenset({IN_PROGRESS, HELD, COMPLETED, CANCELLED, FAILED}),
    IN_PROGRESS: frozenset({HELD, COMPLETED, FAILED}),
    HELD: frozenset({IN_PROGRESS, COMPLETED, FAILED}),
    COMPLETED: frozenset(),
    FAILED: frozenset(),
    CANCELLED: frozenset(),
}
OPEN_ORDER = (PENDING, ACKNOWLEDGED, IN_PROGRESS, HELD)
CLOSED_ORDER = (COMPLETED, FAILED, CANCELLED)
CUSTOMER_MAY_CANCEL = (PENDING, ACKNOWLEDGED)  # until work starts

ORDER_LABELS = {
    ACKNOWLEDGED: N_("Received"),
    PENDING: N_("Waiting for your payment"),
    IN_PROGRESS: N_("Being carried out"),
    HELD: N_("Held up"),
    COMPLETED: N_("Completed"),
    FAILED: N_("Could not be carried out"),
    CANCELLED: N_("Cancelled"),
}

MILESTONE_LABELS = {
    "placed": N_("Order received"),
    "awaiting_payment": N_("Waiting for your payment"),
    "paid": N_("Paid"),
    "started": N_("Work started"),
    "step": N_("Next step"),
    "note": N_("Note"),
    "held": N_("Held up"),
    "retried": N_("Tried again"),
    "completed": N_("Completed"),
    "applied": N_("Took effect"),
    "failed": N_("Could not be carried out"),
    "cancelled": N_("Cancelled"),
}
CHANGE_LABELS = {
    "offering": N_("Change to"),
    "terminate": N_("Ends"),
    "suspend": N_("Suspended from"),
    "resume": N_("Resumed from"),
    "characteristics": N_("Details changed"),
}

EVENT_LABELS = {
    "mirror": N_("Taken from the billing system"),
    "tariff": N_("Plan read from the billing system"),
    "create": N_("Created by an order"),
    "provision.start": N_("Setting up"),
    "provision": N_("Set up"),
    "modify": N_("Changed"),
    "apply": N_("Change took effect"),
    "suspend": N_("Suspended"),
    "resume": N_("Resumed"),
    "terminate.start": N_("Ending"),
    "terminate.booked": N_("End booked"),
    "terminate.withdrawn": N_("End withdrawn"),
    "terminate": N_("Ended"),
    "renew": N_("Renewed"),
    "failed": N_("A step failed"),
    "abandoned": N_("Given up"),
}
REQUEST_LABELS = {
    "pending": N_("Waiting"),
    "running": N_("Running"),
    "done": N_("Done"),
    "failed": N_("Step failed"),
    "abandoned": N_("Given up"),
}
ACTION_NAMES = {
    "provision": N_("Set up"),
    "modify": N_("Change"),
    "suspend": N_("Suspend"),
    "resume": N_("Resume"),
    "terminate": N_("End"),
    "renew": N_("Renew"),
}

ITEM_ACTIONS = ("add", "modify", "delete")
# a modify that keeps the offering and changes the product itself (OrderItem.change)
PRODUCT_CHANGES = (("modify", "suspend"), ("modify", "resume"), ("modify", "characteristics"))
ACTION_LABELS = {"add": N_("New"), "modify": N_("Change"), "delete": N_("End")}
CHANGE_ITEM_LABELS = {"suspend": N_("Suspend"), "resume": N_("Resume"), "characteristics": N_("Change details")}


class IllegalTransition(ValueError):
    """A move the state machine does not allow; the message names both states."""


def check_product_move(current: str, target: str) -> None:
    if target not in PRODUCT_MOVES.get(current, frozenset()):
        raise IllegalTransition(f"a product cannot go from {current!r} to {target!r}")


def check_order_move(current: str, target: str) -> None:
    if target not in ORDER_MOVES.get(current, frozenset()):
        raise IllegalTransition(f"a product order cannot go from {current!r} to {target!r}")


def labels() -> dict[str, dict[str, str]]:
    """The ``register_labels`` domains of these codes."""
    return {
        "product_state": dict(PRODUCT_LABELS),
        "product_order_state": dict(ORDER_LABELS),
        "product_item_action": dict(ACTION_LABELS),
        "product_item_change": dict(CHANGE_ITEM_LABELS),
        "product_suspend_reason": dict(SUSPEND_LABELS),
        "product_milestone": dict(MILESTONE_LABELS),
        "product_change_kind": dict(CHANGE_LABELS),
        "product_event": dict(EVENT_LABELS),
        "product_request_state": dict(REQUEST_LABELS),
        "product_action": dict(ACTION_NAMES),
        "product_channel": {"portal": N_("online"), "console": N_("at the counter")},
        "product_source": {"synced": N_("from the billing system"), "order": N_("ordered in the hall")},
        "product_charged_by": {"bss": N_("billed by the billing system"), "hall": N_("charged by the hall")},
    }
