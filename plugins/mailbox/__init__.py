"""Mailboxes (电子邮箱) on a real Dovecot: customers apply for an address at the tenant's mail domain, operators
approve, the hall writes the mailbox into Dovecot's passwd-file with its quota; password, forwarding, fees in
advance, stop with a retention period; monthly fees through the core's charge run (docs/mailbox.md)."""

from __future__ import annotations

from core.api import GROUP_APPLY, HALL_VERSION, N_, Job, Manifest, MenuItem, Permission, hookimpl

from .settings import MailboxSettings

MANIFEST = Manifest(
    name="mailbox",
    version=HALL_VERSION,
    description="Mailboxes (电子邮箱) on Dovecot: apply, approval, quota products, password, forwarding, renewal, stop.",
    settings=MailboxSettings,
    database_app="plugins.mailbox.piccolo_app",
    permissions=[Permission("mailbox.view", N_("See mailboxes"))],
    title=N_("Mailbox"),
)


@hookimpl
def register_product_specifications(hall):
    from core.api.products import ProductSpecification

    return [ProductSpecification("mailbox", N_("Mailbox"), charged_by="hall")]


@hookimpl
def register_product_offerings(hall, tenant):
    from core.api.products import ProductOffering

    settings = tenant.plugin_settings("mailbox")
    if not settings.domain:
        return []
    return [
        ProductOffering(
            p.code,
            "mailbox",
            name=p.name,
            description={"zh_CN": f"{p.quota_mb} MB 邮箱空间", "en": f"{p.quota_mb} MB of mail storage"},
            group="mailbox",
            one_off_fen=p.one_off_fen,
            monthly_fee_fen=p.monthly_fee_fen,
            rules=(),
            change_effective="immediate",
            charge_from=settings.charge_from,
        )
        for p in settings.products
    ]


@hookimpl
def register_workorder_types(hall):
    from .process import APPLY

    return [APPLY]


def _hook(name):
    async def impl(hall, tenant, product, call):
        from . import provisioning

        await getattr(provisioning, name)(tenant, product, call)

    return impl


@hookimpl
def provision_product(hall, tenant, product, call):
    return _hook("provision")(hall, tenant, product, call) if product.specification == "mailbox" else None


@hookimpl
def suspend_product(hall, tenant, product, call):
    return _hook("suspend")(hall, tenant, product, call) if product.specification == "mailbox" else None


@hookimpl
def resume_product(hall, tenant, product, call):
    return _hook("resume")(hall, tenant, product, call) if product.specification == "mailbox" else None


@hookimpl
def terminate_product(hall, tenant, product, call):
    return _hook("terminate")(hall, tenant, product, call) if product.specification == "mailbox" else None


@hookimpl
def renew_product(hall, tenant, product, call):
    return _hook("renew")(hall, tenant, product, call) if product.specification == "mailbox" else None


@hookimpl
def payment_succeeded(hall, tenant, intent):
    """Fees paid in advance (续费): recorded on the mailbox; the core posts the payment to the BSS's account."""
    from .renewal import paid

    return paid(intent)


@hookimpl
def register_api_routes(hall):
    """TMF622: an app orders a mailbox application (docs/api.md)."""
    from .api import KINDS

    return KINDS


@hookimpl
def register_routes(hall):
    from .routes_console import HANDLERS as CONSOLE
    from .routes_customer import HANDLERS

    return [*HANDLERS, *CONSOLE]


@hookimpl
def register_jobs(hall):
    from .jobs import purge, republish

    return [Job("mailbox.purge", purge, every_minutes=60), Job("mailbox.republish", republish, every_minutes=10)]


@hookimpl
def menu_items(hall, tenant, request, audience):
    if audience == "operator":
        return [MenuItem(N_("Mailboxes"), route="mailbox:console", permission="mailbox.view", order=130)]
    return [MenuItem(N_("Mailbox"), route="mailbox:index", order=130, group=GROUP_APPLY)]


@hookimpl
def quick_actions(hall, tenant, request):
    return [MenuItem(N_("Mailbox"), route="mailbox:index", order=130, group=GROUP_APPLY)]


@hookimpl
def register_labels(hall):
    return {
        "mailbox_state": {
            "applied": N_("Waiting for approval"),
            "active": N_("Open"),
            "suspended": N_("Suspended"),
            "stopped": N_("Stopped"),
            "removed": N_("Removed"),
            "rejected": N_("Rejected"),
        }
    }


@hookimpl
def demo_services(hall, start, echo):
    from .demo import demo_dovecot

    return demo_dovecot(hall, start=start, echo=echo)
