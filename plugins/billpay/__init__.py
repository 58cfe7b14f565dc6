"""Bill payment (缴费): amounts owed per service number or billing account, pay one month or all, receipts, invoices,
operator search, reconciliation.

A payment is a core payment intent (docs/payments.md) whose metadata names the
bills; the fulfilment records which bills it paid, and the core's
``payment.posted`` outbox event tells the legacy system (with the bill ids).
See docs/billpay.md.
"""

from __future__ import annotations

from urllib.parse import quote

from core.api import GROUP_PAY, HALL_VERSION, N_, Manifest, MenuItem, Permission, hookimpl


def settings_for(hall):
    """The settings model, whose ``invoice_provider`` must name a provider a loaded plugin registers (billpay declares that hook)."""
    from plugins.billpay.einvoice import registered
    from plugins.billpay.settings import settings_model

    return settings_model(set(registered(hall)))


MANIFEST = Manifest(
    name="billpay",
    version=HALL_VERSION,
    description="Bill payment (缴费): amounts owed per service number, pay one month or all, receipts, invoices, operator search, reconciliation.",
    settings=settings_for,
    database_app="plugins.billpay.piccolo_app",
    permissions=[
        Permission("billpay.view", N_("Search bill payments and read invoices")),
        Permission("billpay.report", N_("Run and read the payment reconciliation report")),
    ],
    title=N_("Bill payment"),
)


@hookimpl(optionalhook=True)
def register_invoice_providers(hall):
    """billpay's own e-invoice provider: the local stand-in (plugins/billpay/einvoice_local.py)."""
    from plugins.billpay.einvoice_local import LocalProvider

    return {"local": LocalProvider}


@hookimpl
def register_api_routes(hall):
    """TMF676: apps and kiosks pay bills (docs/api.md)."""
    from . import routes_api

    return routes_api.HANDLERS


@hookimpl
def register_routes(hall):
    from plugins.billpay import routes_console, routes_customer, routes_invoice

    return [*routes_customer.HANDLERS, *routes_invoice.HANDLERS, *routes_console.HANDLERS]


@hookimpl
def register_jobs(hall):
    from core.api import Job
    from plugins.billpay import issuing
    from plugins.billpay.report import JOB_NAME, nightly_report

    return [
        Job(JOB_NAME, nightly_report, every_minutes=1440),
        Job(issuing.JOB_NAME, issuing.issue_job, every_minutes=5),
    ]


@hookimpl
def payment_succeeded(hall, tenant, intent):
    """Record which bills the payment paid (in the settlement's transaction: exactly once with it)."""
    from plugins.billpay.fulfil import record_bills

    return record_bills(intent)


@hookimpl
def payment_refunded(hall, tenant, intent, refund):
    """A refund after invoicing writes its red-letter note (in the refund's transaction: exactly once with it)."""
    from plugins.billpay.credit import on_refund

    return on_refund(intent, refund, tenant.plugin_settings("billpay"))


@hookimpl
def menu_items(hall, tenant, request, audience):
    if audience == "operator":
        return [
            MenuItem(N_("Bill payments"), route="billpay:console", permission="billpay.view", order=70),
            MenuItem(
                N_("Payment reconciliation"), route="billpay:console.reports", permission="billpay.report", order=71
            ),
        ]
    return [MenuItem(N_("Pay bills"), route="billpay:index", order=20, group=GROUP_PAY)]


@hookimpl
def quick_actions(hall, tenant, request):
    return [MenuItem(N_("Pay bills"), route="billpay:index", order=20, group=GROUP_PAY)]


@hookimpl
def home_panels(hall, tenant, request, audience):
    """Signed-in customers: the amount their linked numbers (or their accounts) owe, with a pay button (plugins/billpay/home.py)."""
    from core.api.web import info

    if audience != "customer" or info(request).customer is None:
        return None
    from plugins.billpay.home import owed_panel

    return lambda: owed_panel(request)


@hookimpl
def bill_actions(hall, tenant, request, bill):
    """On the bill page: "Pay this bill" while the legacy system says something is owed (this page queries nothing more)."""
    if bill["status"] in ("unpaid", "partial") and int(bill["amount_fen"]) > int(bill["paid_fen"]):
        from core.api.web import url_for

        bill_id = bill["legacy_id"]
        return [
            (
                N_("Pay this bill"),
                url_for(request, "billpay:index", query={"bill": bill_id}) + f"#bill-{quote(bill_id, safe='')}",
            )
        ]
    return []


@hookimpl
def account_actions(hall, tenant, request, account):
    """On the Accounts and balances page: pay what the account (or the number that is its own account) owes."""
    from core.api.web import url_for

    anchor = quote(f"pay-{account.legacy_id}", safe="")
    return [(N_("Pay bills"), url_for(request, "billpay:index") + f"#{anchor}")]


@hookimpl
def customer_sections(hall, tenant, request, customer):
    """The console's customer view: the customer's bill payments and invoices (operators with billpay.view)."""
    from core.api.web import info
    from plugins.billpay.customer_view import billpay_section

    principal = info(request).principal
    return [billpay_section(customer)] if principal and principal.can("billpay.view") else []


@hookimpl
def register_labels(hall):
    """Display names of the codes this plugin stores (audit actions, object types); its own name is MANIFEST.title."""
    return {
        "audit_action": {
            "billpay.report.run": N_("Ran the reconciliation report"),
            "billpay.invoice.read": N_("Read an invoice"),
        },
        "object_type": {"recon_report": N_("Reconciliation report")},
    }
