"""The monthly bill e-mail (账单邮件): subscriptions per service number, a batch per month once its bills synced, sent over SMTP.

See docs/billmail.md for the send contract (never twice; crashes leave ``uncertain`` rows for operators).
"""

from __future__ import annotations

from core.api import GROUP_ACCOUNT, HALL_VERSION, N_, Manifest, MenuItem, Permission, hookimpl
from plugins.billmail.settings import BillmailSettings

MANIFEST = Manifest(
    name="billmail",
    version=HALL_VERSION,
    description="The monthly bill e-mail (账单邮件): subscriptions per service number, a batch per month once its bills synced, sent over SMTP.",
    settings=BillmailSettings,
    database_app="plugins.billmail.piccolo_app",
    permissions=[
        Permission("billmail.view", N_("See bill e-mail batches and their send log")),
        Permission("billmail.resend", N_("Resend a bill e-mail")),
    ],
    title=N_("Monthly bill e-mail"),
)


@hookimpl
def register_jobs(hall):
    from core.api import Job
    from plugins.billmail.jobs import tick

    return [Job("billmail.tick", tick, every_minutes=10)]


@hookimpl
def register_commands(hall, cli):
    from plugins.billmail.cli import add_commands

    add_commands(cli)


@hookimpl
def register_routes(hall):
    from plugins.billmail import routes_console, routes_customer

    return [*routes_customer.HANDLERS, *routes_console.HANDLERS]


@hookimpl
def menu_items(hall, tenant, request, audience):
    if audience == "operator":
        return [MenuItem(N_("Bill e-mails"), route="billmail:console", permission="billmail.view", order=70)]
    return [MenuItem(N_("Bill e-mails"), route="billmail:subscription", order=45, group=GROUP_ACCOUNT)]


@hookimpl
def register_labels(hall):
    """Display names of the codes this plugin stores (audit actions, object types); its own name is MANIFEST.title."""
    return {
        "audit_action": {"billmail.resend": N_("Resent a bill e-mail")},
        "object_type": {"billmail_send": N_("Bill e-mail")},
    }
