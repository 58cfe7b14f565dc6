"""The back-office steps of the line's service orders: suspension (报停), resumption (复机), move (移机), termination
(拆机). Each is a product order with a work-order process, like the installation."""

from __future__ import annotations

from core.api import N_
from core.api.products import Step, order_steps


def _department(tenant, data):
    return tenant.plugin_settings("phone").department or None


SUSPEND = order_steps(
    "phone.suspend",
    N_("Suspension"),
    "BT",
    [Step("review", N_("Being checked"), action=N_("Checked: suspend it in the billing system"), hours=24)],
    route=_department,
)
RESUME = order_steps(
    "phone.resume",
    N_("Resumption"),
    "FJ",
    [Step("review", N_("Being checked"), action=N_("Checked: resume it in the billing system"), hours=24)],
    route=_department,
)
MOVE = order_steps(
    "phone.move",
    N_("Move"),
    "YJ",
    [
        Step("survey", N_("Site survey"), action=N_("Surveyed: the line can be moved"), hours=48),
        Step("appointment", N_("Appointment being confirmed"), action=N_("Appointment confirmed"), hours=24),
        Step("move", N_("Being moved"), action=N_("Moved: complete the order"), hours=72),
    ],
    route=_department,
)
TERMINATE = order_steps(
    "phone.terminate",
    N_("Termination"),
    "CJ",
    [
        Step("settle", N_("Final settlement"), action=N_("Settled: remove the line"), hours=48),
        Step("remove", N_("Being removed"), action=N_("Removed: complete the order"), hours=72),
    ],
    route=_department,
)
PROCESSES = {"suspend": SUSPEND, "resume": RESUME, "move": MOVE, "terminate": TERMINATE}
