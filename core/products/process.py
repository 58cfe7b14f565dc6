"""Order processes: the work-order steps that carry out a product order, declared by the plugin that sells it.

``order_steps(...)`` builds a work-order type (core/workorders) whose states are
the plugin's steps plus three outcomes the products core understands:
``completed`` (carry the order out), ``rejected`` (the order failed) and
``cancelled`` (the customer withdrew before work started). The plugin returns it
from ``register_workorder_types`` like any type; its orders are then carried
out through the ordinary work-order queue, with per-step deadlines. Two system
actions let the BSS's own confirmation complete or reject it (``bss_confirm``,
``bss_reject``: core/products/readback.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from core.i18n import N_
from core.workorders.types import State, Transition, WorkOrderType

COMPLETED = "completed"
REJECTED = "rejected"
CANCELLED = "cancelled"
OUTCOMES = (COMPLETED, REJECTED, CANCELLED)
CANCEL_ACTION = "cancel"
CONFIRM_ACTION = "bss_confirm"
REJECT_BY_BSS = "bss_reject"
GIVE_UP = "give_up"


@dataclass(frozen=True)
class Step:
    """One step of an order (survey, appointment, install, approve ...).

    ``label`` names the state while the order is at this step (the customer
    reads it); ``action`` the button that finishes it (default: "Next step",
    or "Complete" for the last one); ``hours`` its deadline, counted from the
    moment the order reaches it (None: no deadline); ``permission`` an extra
    permission the operator needs to finish it.
    """

    code: str
    label: str
    action: str = ""
    hours: float | None = None
    permission: str | None = None


@dataclass(frozen=True)
class OrderProcess(WorkOrderType):
    """A work-order type built by :func:`order_steps`; the products core recognises it by this class."""

    step_hours: dict[str, float | None] = field(default_factory=dict)

    def step_of(self, state: str) -> bool:
        return state in self.step_hours


def order_steps(
    code: str,
    label: str,
    prefix: str,
    steps: list[Step] | tuple[Step, ...],
    *,
    route: str | Callable | None = None,
    reject_permission: str | None = None,
) -> OrderProcess:
    """The work-order type of a product-order process: ``steps`` in order, then completed / rejected / cancelled.

    ``code`` is ``"<plugin>.<name>"`` and ``prefix`` the work-order number
    prefix, as for any work-order type; ``route`` a department code (or
    ``route(tenant, data) -> code``). Rejecting needs a comment, shown to the customer.
    """
    steps = tuple(steps)
    if not steps:
        raise ValueError(f"order process {code!r} needs at least one step")
    codes = tuple(s.code for s in steps)
    transitions = []
    for i, step in enumerate(steps):
        last = i == len(steps) - 1
        target = COMPLETED if last else steps[i + 1].code
        default = N_("Complete the order") if last else N_("Next step")
        transitions.append(
            Transition(
                f"finish_{step.code}"[:32], step.action or default, (step.code,), target, permission=step.permission
            )
        )
    transitions += [
        Transition("reject", N_("Reject the order"), codes, REJECTED, permission=reject_permission, needs_comment=True),
        Transition(CANCEL_ACTION, N_("Withdrawn by the customer"), (steps[0].code,), CANCELLED, actor="system"),
        Transition(CONFIRM_ACTION, N_("Confirmed by the billing system"), codes, COMPLETED, actor="system"),
        Transition(REJECT_BY_BSS, N_("Refused by the billing system"), codes, REJECTED, actor="system"),
        Transition(GIVE_UP, N_("Given up"), codes, REJECTED, actor="system"),
    ]
    router = (lambda tenant, data: route) if isinstance(route, str) else route
    return OrderProcess(
        code=code,
        label=label,
        prefix=prefix,
        states=(
            *(State(s.code, s.label) for s in steps),
            State(COMPLETED, N_("Completed")),
            State(REJECTED, N_("Rejected")),
            State(CANCELLED, N_("Cancelled")),
        ),
        transitions=tuple(transitions),
        initial=steps[0].code,
        terminal=OUTCOMES,
        resolved=(COMPLETED, REJECTED),
        deadline_hours=steps[0].hours,
        route=router,
        notify_customer=False,  # the product order tells the customer its milestones (core/products/messages.py)
        step_hours={s.code: s.hours for s in steps},
    )


def process_of(hall, code: str) -> OrderProcess | None:
    """The declared process ``code`` (a work-order type built by ``order_steps``), or None."""
    from core.workorders.types import collect_types

    wt = collect_types(hall).get(code) if code else None
    return wt if isinstance(wt, OrderProcess) else None
