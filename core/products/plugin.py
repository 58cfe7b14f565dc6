"""Products, an always-on core plugin: the catalog, the inventory, product orders and the lifecycle contract.

Its own hook implementations: the ``line`` specification (service lines mirrored from the BSS) and its
lifecycle (outside an order, each step is told to the BSS as ``product.<action>``), the payment step's
fulfilment, following work orders, the jobs, pages, permissions, labels, menus and the configuration check.
"""

from __future__ import annotations

from core.hookspecs import hookimpl
from core.i18n import N_
from core.web.menus import GROUP_ACCOUNT, GROUP_PAY, MenuItem, Panel

from core.products.access import VIEW


@hookimpl
def register_product_specifications(hall):
    from core.products.catalog import LINE

    return [LINE]


def _tell_bss_outside_orders(hall, tenant, product, call):
    """A line's lifecycle step outside an order reaches the BSS through the outbox; an order's are in its own events."""
    if product.specification != "line" or call.order_id is not None:
        return None

    async def write():
        from core.db import transaction
        from core.products.bss import tell_bss_product
        from core.products.inventory import get_product

        async with transaction():
            await tell_bss_product(tenant, await get_product(product.id), call.action, call.key, call.params)

    return write()


@hookimpl
def suspend_product(hall, tenant, product, call):
    return _tell_bss_outside_orders(hall, tenant, product, call)


@hookimpl
def resume_product(hall, tenant, product, call):
    return _tell_bss_outside_orders(hall, tenant, product, call)


@hookimpl
def terminate_product(hall, tenant, product, call):
    return _tell_bss_outside_orders(hall, tenant, product, call)


@hookimpl
def payment_succeeded(hall, tenant, intent):
    """An order's payment step, or an automatic payment (代扣) of a month's charge, was paid (only for intents this
    plugin owns, in the settlement's transaction)."""
    from core.products import autopay
    from core.products.carry import on_paid

    if intent.owner != autopay.OWNER:  # the core is always on: it hears every owner's payments, and ignores them
        return None
    if intent.purpose == autopay.PURPOSE:
        return autopay.on_paid(hall, tenant, intent)
    return on_paid(hall, tenant, intent)


@hookimpl
def payment_posted(hall, tenant, intent):
    """Any settled payment (after its commit): a top-up or bill paid settles the account's arrears at once (复机)."""
    from core.products import autopay
    from core.products.resumption import on_payment_posted

    if intent.purpose == autopay.PURPOSE and intent.owner == autopay.OWNER:
        return autopay.after_posted(hall, tenant, intent)
    return on_payment_posted(hall, tenant, intent)


@hookimpl
def workorder_changed(hall, tenant, order, event):
    from core.products.workflow import workorder_changed as follow

    return follow(hall, tenant, order, event)


@hookimpl
def register_jobs(hall):
    from core.products.jobs import jobs

    return jobs()


@hookimpl
def register_routes(hall):
    from core.products import routes_autopay, routes_autopay_console, routes_charges, routes_console, routes_customer

    return [
        *routes_customer.HANDLERS,
        *routes_console.HANDLERS,
        *routes_charges.HANDLERS,
        *routes_autopay.HANDLERS,
        *routes_autopay_console.HANDLERS,
    ]


@hookimpl
def register_permissions(hall):
    from core.products.access import permissions

    return permissions()


@hookimpl
def register_labels(hall):
    from core.products.states import labels

    out = labels()
    out["object_type"] = {"product": N_("Product"), "product_order": N_("Product order")}
    out["audit_action"] = {
        "product_order.step": N_("Moved a product order on"),
        "product_order.fail": N_("Gave a product order up"),
        "product.retry": N_("Retried a product's failed step"),
        "agreement.sign": N_("Started signing an automatic payment"),
        "agreement.signed": N_("Automatic payment signed"),
        "agreement.cancel": N_("Cancelled an automatic payment"),
        "agreement.cancelled": N_("Automatic payment ended by the provider"),
        "agreement.notification_refused": N_("Refused an automatic-payment notification"),
        "agreement.expired": N_("Automatic payment never signed"),
    }
    out["object_type"]["agreement"] = N_("Automatic payment")
    out["agreement_state"] = {
        "pending": N_("Being signed"),
        "active": N_("Signed and active"),
        "cancelled": N_("Agreement cancelled"),
        "expired": N_("Never signed"),
    }
    out["agreement_end_reason"] = {
        "customer": N_("cancelled by the customer"),
        "operator": N_("cancelled by an operator"),
        "replaced": N_("replaced by a newer agreement"),
        "provider": N_("ended at the payment provider"),
        "not signed": N_("not signed in time"),
    }
    out["agreement_console_notice"] = {
        "cancelled": N_("The automatic payment is cancelled."),
        "ended": N_("That automatic payment had already ended."),
        "reason": N_("Write why the automatic payment is cancelled."),
        "unavailable": N_("The payment provider did not answer; nothing was changed. Try again later."),
    }
    from core.products.charge_notices import labels as charge_labels

    out.update(charge_labels())
    return out


@hookimpl
def check_config(hall, tenant):
    """The specifications (once) and each tenant's offerings: a broken one is a configuration problem."""
    from core.config import ConfigIssue
    from core.products.catalog import CatalogError, specifications, static_offerings

    if tenant is None:
        try:
            specifications(hall)
        except CatalogError as exc:
            return [ConfigIssue("(plugins)", "register_product_specifications", str(exc))]
        return None
    try:
        _, problems = static_offerings(hall, tenant)
    except CatalogError:
        return None  # reported once for the hall
    return [ConfigIssue(str(tenant.path / "tenant.toml"), "products.offerings", p) for p in problems] or None


@hookimpl
def menu_items(hall, tenant, request, audience):
    if audience == "operator":
        return [
            MenuItem(N_("Product orders"), route="console:product_orders", permission=VIEW, order=210),
            MenuItem(N_("Charge runs"), route="console:charge_runs", permission=VIEW, order=212),
        ]
    items = [MenuItem(N_("My products"), route="account:products", order=790, group=GROUP_ACCOUNT)]
    from core.payments.agreements import agreement_providers

    if agreement_providers(hall, tenant):
        items.append(MenuItem(N_("Automatic payment"), route="account:autopay", order=811, group=GROUP_PAY))
    return items


@hookimpl
def home_panels(hall, tenant, request, audience):
    """Operators who see product orders find the open ones, by state, on their home page."""
    if audience != "operator":
        return None

    async def panel():
        from core.products.views import open_order_counts

        return Panel(
            "products/_console_panel.html",
            {"counts": await open_order_counts()},
            title=N_("Product orders"),
            permission=VIEW,
            order=6,
        )

    return [panel]


@hookimpl
def customer_sections(hall, tenant, request, customer):
    async def section():
        from core.products.views import customer_section
        from core.web.context import info

        from core.payments.registry import provider_label
        from core.products.access import HANDLE

        context = await customer_section(hall, tenant, customer, info(request).language)
        providers = {a["provider"] for a in context["agreements"]}
        context["provider_labels"] = {p: provider_label(hall, tenant, p) for p in providers}
        context["may_cancel"] = info(request).principal.can(HANDLE)
        context["autopay_notice"] = request.query_params.get("autopay", "")
        return Panel("products/_customer_section.html", context, title=N_("Products"), permission=VIEW, order=40)

    return [section()]
