"""Bill payment (缴费): amounts owed per service number, pay one month or all, receipts, invoices, operator search, reconciliation.

A payment is a core payment intent (docs/payments.md) whose metadata names the
bills; the fulfilment records which bills it paid, and the core's
``payment.posted`` outbox event tells the legacy system (with the bill ids).
See docs/billpay.md.
"""

from __future__ import annotations

from core.auth.permissions import Permission
from core.hookspecs import hookimpl
from core.i18n import N_
from core.web.menus import MenuItem


@hookimpl
def register_settings(hall):
    from plugins.billpay.settings import BillpaySettings

    return BillpaySettings


@hookimpl
def register_db_app(hall):
    return "plugins.billpay.piccolo_app"


@hookimpl
def register_permissions(hall):
    return [
        Permission("billpay.view", N_("Search bill payments and read invoices")),
        Permission("billpay.report", N_("Run and read the payment reconciliation report")),
    ]


@hookimpl
def register_routes(hall):
    from plugins.billpay import routes_console, routes_customer, routes_invoice

    return [*routes_customer.HANDLERS, *routes_invoice.HANDLERS, *routes_console.HANDLERS]


@hookimpl
def register_jobs(hall):
    from core.jobs.spec import Job
    from plugins.billpay.report import JOB_NAME, nightly_report

    return [Job(JOB_NAME, nightly_report, every_minutes=1440)]


@hookimpl
def payment_succeeded(hall, tenant, intent):
    """Record which bills the payment paid (in the settlement's transaction: exactly once with it)."""
    from plugins.billpay.fulfil import record_bills

    return record_bills(intent)


@hookimpl
def menu_items(hall, tenant, request, audience):
    if audience == "operator":
        return [MenuItem(N_("Bill payments"), "/billpay/console", permission="billpay.view", order=70),
                MenuItem(N_("Payment reconciliation"), "/billpay/console/reports", permission="billpay.report", order=71)]
    return [MenuItem(N_("Pay bills"), "/billpay/", order=20), MenuItem(N_("Bill payments history"), "/billpay/history", order=21)]


@hookimpl
def register_labels(hall):
    """Display names of the codes this plugin stores (audit actions, object types) and of the plugin itself."""
    return {
        "plugin": {"billpay": N_("Bill payment")},
        "audit_action": {"billpay.report.run": N_("Ran the reconciliation report"), "billpay.invoice.read": N_("Read an invoice")},
        "object_type": {"recon_report": N_("Reconciliation report")},
    }
