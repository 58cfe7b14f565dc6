"""How a plan change is carried out: two steps of a work order, each with its deadline."""

from __future__ import annotations

from core.api import N_
from core.api.products import Step, order_steps


def _department(tenant, data):
    return tenant.plugin_settings("plans").department or None


PLAN_CHANGE = order_steps(
    "plans.change",
    N_("Plan change"),
    "PC",
    [
        Step("review", N_("Being checked"), action=N_("Checked: change it in the billing system"), hours=24),
        Step("billing", N_("Being changed in the billing system"), action=N_("Done in the billing system"), hours=48),
    ],
    route=_department,
)
