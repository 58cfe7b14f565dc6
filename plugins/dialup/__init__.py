"""163 dial-up accounts (163拨号上网) on a real FreeRADIUS: open an account and pay, change its password, see the
balance and the sessions RADIUS accounted, renew; operators search, lock and unlock (docs/dialup.md).

Accounts are products of the ``dialup`` specification sold through the core's product orders; the lifecycle
hooks provision them into FreeRADIUS's SQL schema (radcheck/radreply/radusergroup) in the tenant's RADIUS
database, with the password as an SSHA2-512 hash. Usage comes from radacct, written by the server itself.
"""

from __future__ import annotations

from core.api import GROUP_APPLY, HALL_VERSION, N_, Manifest, MenuItem, Permission, hookimpl

from .settings import DialupSettings

SPEC = "dialup"
MANIFEST = Manifest(
    name="dialup",
    version=HALL_VERSION,
    description="163 dial-up accounts on FreeRADIUS: open and pay, password, balance, usage from radacct, renewal; operators lock and unlock.",
    settings=DialupSettings,
    database_app="plugins.dialup.piccolo_app",
    permissions=[
        Permission("dialup.view", N_("Search dial-up accounts")),
        Permission("dialup.lock", N_("Lock and unlock dial-up accounts")),
    ],
    title=N_("Dial-up internet"),
)


@hookimpl
def register_product_specifications(hall):
    from core.api.products import ProductSpecification

    return [ProductSpecification(SPEC, N_("Dial-up account"), charged_by="hall")]


@hookimpl
def register_product_offerings(hall, tenant):
    from .packages import offerings

    return offerings(tenant)


@hookimpl
def provision_product(hall, tenant, product, call):
    if product.specification != SPEC:
        return None
    from .lifecycle import provision

    return provision(hall, tenant, product, call)


@hookimpl
def suspend_product(hall, tenant, product, call):
    if product.specification != SPEC:
        return None
    from .lifecycle import lock

    return lock(hall, tenant, product, call, locked=True)


@hookimpl
def resume_product(hall, tenant, product, call):
    if product.specification != SPEC:
        return None
    from .lifecycle import lock

    return lock(hall, tenant, product, call, locked=False)


@hookimpl
def terminate_product(hall, tenant, product, call):
    if product.specification != SPEC:
        return None
    from .lifecycle import terminate

    return terminate(hall, tenant, product, call)


@hookimpl
def renew_product(hall, tenant, product, call):
    if product.specification != SPEC:
        return None
    from .lifecycle import renew

    return renew(hall, tenant, product, call)


@hookimpl
def payment_succeeded(hall, tenant, intent):
    """A renewal paid: extend the account once, in the settlement's transaction (RADIUS is told right after)."""
    from .renewals import paid

    return paid(hall, tenant, intent)


@hookimpl
def register_jobs(hall):
    from core.api import Job

    from .jobs import enforce

    return [Job("dialup.enforce", enforce, every_minutes=5)]


@hookimpl
def register_api_routes(hall):
    """TMF622: an app orders opening a dial-up account; ``dialupRenewal``: it renews one (a TMF676 payment).
    docs/api.md."""
    from .api import KINDS
    from .routes_api import HANDLERS

    return [*KINDS, *HANDLERS]


@hookimpl
def register_routes(hall):
    from . import routes_console, routes_customer

    return [*routes_customer.HANDLERS, *routes_console.HANDLERS]


@hookimpl
def menu_items(hall, tenant, request, audience):
    if audience == "operator":
        return [MenuItem(N_("Dial-up accounts"), route="dialup:console", permission="dialup.view", order=76)]
    return [MenuItem(N_("Dial-up internet"), route="dialup:index", order=130, group=GROUP_APPLY)]


@hookimpl
def quick_actions(hall, tenant, request):
    return [MenuItem(N_("Dial-up internet"), route="dialup:index", order=130, group=GROUP_APPLY)]


@hookimpl
def demo_services(hall, start, echo):
    """``hall demo``: the demo tenants' RADIUS databases and, when FreeRADIUS is installed, the server itself."""
    from .demo import demo_radius

    return demo_radius(hall, start=start, echo=echo)


@hookimpl
def register_labels(hall):
    """Display names of the codes this plugin stores (audit actions, object types)."""
    return {
        "audit_action": {
            "dialup.lock": N_("Locked a dial-up account"),
            "dialup.unlock": N_("Unlocked a dial-up account"),
        },
        "object_type": {"dialup_account": N_("Dial-up account")},
    }
