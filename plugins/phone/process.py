"""How an installation (装机) is carried out: survey, appointment, installation, each with its deadline; completing
the last step completes the product order, which the core pushes to the BSS (``productOrder.completed``)."""

from __future__ import annotations

from core.api import N_
from core.api.products import Step, order_steps


def _department(tenant, data):
    return tenant.plugin_settings("phone").department or None


INSTALL = order_steps(
    "phone.install",
    N_("Installation"),
    "ZJ",
    [
        Step("survey", N_("Site survey"), action=N_("Surveyed: the line can be installed"), hours=48),
        Step("appointment", N_("Appointment being confirmed"), action=N_("Appointment confirmed"), hours=24),
        Step("install", N_("Being installed"), action=N_("Installed: complete the order"), hours=72),
    ],
    route=_department,
)
