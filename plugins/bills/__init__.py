"""Bills (账单查询) and call records (详单查询) of the customer's linked numbers: charts, comparison, exports, access trail.

Reads the core's synced copies of the legacy bills and call-detail records
(core/legacy/billing_tables.py); writes only its own access trail and step-up
verifications. See docs/bills.md.
"""

from __future__ import annotations

from core.api import GROUP_ACCOUNT, HALL_VERSION, N_, Manifest, MenuItem, Permission, hookimpl
from plugins.bills.settings import BillsSettings

MANIFEST = Manifest(
    name="bills",
    version=HALL_VERSION,
    description="Bills (账单查询) and call records (详单查询) of the customer's linked numbers: charts, comparison, exports, access trail.",
    settings=BillsSettings,
    database_app="plugins.bills.piccolo_app",
    permissions=[Permission("bills.access_log", N_("See who viewed or exported customers' call records"))],
    title=N_("Bills and call records"),
)


@hookimpl
def register_routes(hall):
    from plugins.bills import routes_accounts, routes_bills, routes_calls, routes_log, routes_stepup

    # the fixed paths first: /bills/access-log, /bills/step-up/... and /bills/accounts/... are not {number}/{month}
    return [
        *routes_log.HANDLERS,
        *routes_stepup.HANDLERS,
        *routes_accounts.HANDLERS,
        *routes_calls.HANDLERS,
        *routes_bills.HANDLERS,
    ]


@hookimpl
def register_jobs(hall):
    from core.api import Job
    from plugins.bills.stepup import prune

    return [Job("bills.prune_step_ups", prune, every_minutes=60)]


@hookimpl
def menu_items(hall, tenant, request, audience):
    if audience == "operator":
        return [
            MenuItem(
                N_("Call-record access"), route="bills:console.access_log", permission="bills.access_log", order=70
            )
        ]
    return [MenuItem(N_("My bills"), route="bills:list", order=30, group=GROUP_ACCOUNT)]


@hookimpl
def quick_actions(hall, tenant, request):
    return [MenuItem(N_("My bills"), route="bills:list", order=30, group=GROUP_ACCOUNT)]


@hookimpl
def account_actions(hall, tenant, request, account):
    """On the Accounts and balances page: the account's bills (for a number that is its own account: the number's)."""
    from core.api.web import url_for

    return [(N_("Bills"), url_for(request, "bills:account", account=account.legacy_id))]


@hookimpl
def home_panels(hall, tenant, request, audience):
    """Signed-in customers: the latest bill of each linked number (plugins/bills/home.py)."""
    from core.api.web import info

    if audience != "customer" or info(request).customer is None:
        return None
    from plugins.bills.home import latest_bills_panel

    return lambda: latest_bills_panel(request)


@hookimpl
def customer_sections(hall, tenant, request, customer):
    """The console's customer view: latest bills of the customer's numbers, and the call-record access trail."""
    from core.api.web import info
    from plugins.bills.customer_view import bills_section, trail_section

    principal = info(request).principal
    return [
        bills_section(customer),
        trail_section(customer) if principal and principal.can("bills.access_log") else None,
    ]
