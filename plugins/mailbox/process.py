"""How a mailbox application is carried out: one step, an operator approves it (or rejects it with a reason)."""

from __future__ import annotations

from core.api import N_
from core.api.products import Step, order_steps

PROCESS = "mailbox.apply"


def _department(tenant, data):
    return tenant.plugin_settings("mailbox").department or None


APPLY = order_steps(
    PROCESS,
    N_("Mailbox application"),
    "MB",
    [Step("approve", N_("Being approved"), action=N_("Approve: open the mailbox"), hours=24)],
    route=_department,
)
