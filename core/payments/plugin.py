"""Payments, an always-on core plugin: the gateway's return and notify pages, the customer's payments, the console's payments and refunds, reconciliation."""

from __future__ import annotations

from core.auth.permissions import Permission
from core.hookspecs import hookimpl
from core.i18n import N_
from core.web.menus import GROUP_PAY, MenuItem

PERMISSIONS = [
    Permission("core.payments.view", N_("See payments, their ledger and refunds")),
    Permission("core.payments.refund", N_("Refund payments")),
]


@hookimpl
def register_routes(hall):
    from core.payments import routes_agreements, routes_console, routes_customer, routes_payer, routes_scan

    return [
        *routes_console.HANDLERS,
        *routes_customer.HANDLERS,
        *routes_payer.HANDLERS,
        *routes_scan.HANDLERS,
        *routes_agreements.HANDLERS,
    ]


@hookimpl
def register_jobs(hall):
    from core.jobs.spec import Job
    from core.payments import reconcile

    return [Job(reconcile.JOB_NAME, reconcile.reconcile_payments, every_minutes=5)]


@hookimpl
def register_permissions(hall):
    return PERMISSIONS


def _my_payments(hall, tenant) -> list[MenuItem]:
    """My payments, when the tenant takes payments."""
    from core.payments.registry import enabled_providers

    return (
        [MenuItem(N_("My payments"), route="pay:history", order=810, group=GROUP_PAY)]
        if enabled_providers(hall, tenant)
        else []
    )


@hookimpl
def menu_items(hall, tenant, request, audience):
    if audience == "operator":
        return [MenuItem(N_("Payments"), route="console:payments", permission="core.payments.view", order=945)]
    return _my_payments(hall, tenant)


@hookimpl
def quick_actions(hall, tenant, request):
    return _my_payments(hall, tenant)
