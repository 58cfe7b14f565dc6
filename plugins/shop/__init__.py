"""The card shop (卡品商城): phone and internet cards with electronic PINs, stock, orders, and card top-up (充值卡充值).

Cards are made in batches with PINs from ``secrets``, stored only as a keyed
hash and a sealed copy; a paid order gets exactly one card, shown once; any
number of the tenant can be topped up with a card, exactly once per card.
See docs/shop.md.
"""

from __future__ import annotations

from core.api import GROUP_PAY, HALL_VERSION, N_, Manifest, MenuItem, Permission, hookimpl

from .settings import ShopSettings

MANIFEST = Manifest(
    name="shop",
    version=HALL_VERSION,
    description="Card shop (卡品商城): phone and internet cards with electronic PINs, card batches and stock audit, orders, card top-up.",
    settings=ShopSettings,
    database_app="plugins.shop.piccolo_app",
    permissions=[
        Permission("shop.view", N_("See card shop orders, stock and alerts")),
        Permission("shop.manage", N_("Manage the card catalog and card batches")),
        Permission("shop.orders", N_("Void, hold and refund card shop orders")),
    ],
    title=N_("Card shop"),
)


@hookimpl
def register_routes(hall):
    from . import (
        routes_aftersales,
        routes_cart,
        routes_catalog,
        routes_console,
        routes_customer,
        routes_delivery,
        routes_images,
        routes_redeem,
        routes_warehouse,
    )

    return [
        *routes_customer.HANDLERS,
        *routes_cart.HANDLERS,
        *routes_redeem.HANDLERS,
        *routes_console.HANDLERS,
        *routes_catalog.HANDLERS,
        *routes_delivery.HANDLERS,
        *routes_warehouse.HANDLERS,
        *routes_images.HANDLERS,
        *routes_aftersales.HANDLERS,
    ]


@hookimpl
def register_workorder_types(hall):
    from .aftersales_type import AFTERSALES

    return [AFTERSALES]


@hookimpl
def workorder_changed(hall, tenant, order, event):
    """An after-sales request's work order changed: decisions only from the shop's page; a withdrawal closes it."""
    from .aftersales_type import CODE

    if order["type"] != CODE:
        return None
    from .aftersales import workorder_changed as changed

    return changed(hall, tenant, order, event)


@hookimpl
def required_ports(hall):
    from core.api.legacy import CustomerSource

    return [CustomerSource]


@hookimpl
def payment_succeeded(hall, tenant, intent):
    """The order is paid: allocate its card, in the settlement's transaction (exactly once with it)."""
    from .orders import paid

    return paid(hall, tenant, intent)


@hookimpl
def payment_refunded(hall, tenant, intent, refund):
    """A refund of an order's payment went through: tell the buyer, in the transaction that records it."""
    from .orders import refunded

    return refunded(hall, tenant, intent, refund)


@hookimpl
def register_jobs(hall):
    from core.api import Job

    from .aftersales import refund_job
    from .audit import audit_job
    from .delivery import complete_job
    from .orders import fulfil_job

    return [
        Job("shop.audit", audit_job, every_minutes=60),
        Job("shop.fulfil", fulfil_job, every_minutes=5),
        Job("shop.complete", complete_job, every_minutes=60),
        Job("shop.aftersales", refund_job, every_minutes=5),
    ]


@hookimpl
def menu_items(hall, tenant, request, audience):
    if audience == "operator":
        return [MenuItem(N_("Card shop"), route="shop:console", permission="shop.view", order=74)]
    return [
        MenuItem(N_("Card shop"), route="shop:index", order=25),
        MenuItem(N_("Card top-up"), route="shop:redeem", order=26, group=GROUP_PAY),
    ]


@hookimpl
def quick_actions(hall, tenant, request):
    return [MenuItem(N_("Card top-up"), route="shop:redeem", order=16, group=GROUP_PAY)]


@hookimpl
def demo_data(hall, tenant):
    from .demo import seed

    return seed(hall, tenant)


@hookimpl
def register_labels(hall):
    """Display names of the codes this plugin stores or shows."""
    return {
        "shop_card_state": {
            "generated": N_("Generated"),
            "in_stock": N_("In stock"),
            "sold": N_("Sold"),
            "redeemed": N_("Redeemed"),
            "void": N_("Void"),
        },
        "shop_order_state": {
            "created": N_("Awaiting payment"),
            "paid": N_("Paid"),
            "fulfilled": N_("Card ready"),
            "completed": N_("Completed"),
            "canceled": N_("Canceled"),
            "on_hold": N_("On hold"),
            "void": N_("Void"),
            "shipped": N_("Shipped"),
        },
        "shop_step": {
            "created": N_("Order placed"),
            "paid": N_("Paid"),
            "shipped": N_("Shipped"),
            "completed": N_("Completed"),
        },
        "shop_movement": {
            "in": N_("Stock in"),
            "out": N_("Shipped out"),
            "transfer": N_("Stock transfer"),
            "adjust": N_("Adjustment"),
        },
        "shop_alert": {
            "lockout": N_("Card top-up lock-out"),
            "low_stock": N_("Low stock"),
            "batch_mismatch": N_("Batch does not add up"),
            "order_without_card": N_("Paid order without a card"),
            "order_without_stock": N_("Paid order without stock"),
            "stock_mismatch": N_("Stock does not add up"),
        },
        "shop_aftersales_kind": {
            "return": N_("Return"),
            "exchange": N_("Exchange"),
            "lost_card": N_("Lost card"),
        },
        "shop_aftersales_state": {
            "open": N_("Waiting for our answer"),
            "refund": N_("Approved with a refund"),
            "exchange": N_("Approved with an exchange"),
            "rejected": N_("Not approved"),
            "withdrawn": N_("Withdrawn"),
        },
        "shop_refund_state": {
            "": N_("Refund not asked yet"),
            "pending": N_("Refund under way"),
            "succeeded": N_("Refunded"),
            "failed": N_("Refund refused by the payment gateway"),
        },
        "shop_delivery": {"electronic": N_("Electronic"), "physical": N_("Physical")},
        "audit_action": {
            "shop.batch.generate": N_("Generated a card batch"),
            "shop.batch.import": N_("Imported a card batch"),
            "shop.batch.stock": N_("Put a card batch in stock"),
            "shop.batch.activate": N_("Activated a card batch for sale elsewhere"),
            "shop.batch.void": N_("Voided the unsold cards of a batch"),
            "shop.batch.export": N_("Exported a card batch for printing"),
            "shop.alert.seen": N_("Marked a card shop alert as seen"),
            "shop.order.void": N_("Voided a card order"),
            "shop.order.hold": N_("Held or released a card order"),
            "shop.order.ship": N_("Shipped a card shop order"),
            "shop.order.merge": N_("Merged card shop orders into one shipment"),
            "shop.location.add": N_("Added a stock location"),
            "shop.stock.in": N_("Put stock in"),
            "shop.stock.transfer": N_("Transferred stock"),
            "shop.stock.adjust": N_("Adjusted stock"),
            "shop.product.save": N_("Saved a card shop product"),
            "shop.category.add": N_("Added a card shop category"),
            "shop.image.add": N_("Added a product image"),
            "shop.image.remove": N_("Removed a product image"),
            "shop.image.move": N_("Reordered the product images"),
            "shop.aftersales.decide": N_("Decided a card shop after-sales request"),
        },
        "object_type": {
            "shop_batch": N_("Card batch"),
            "shop_alert": N_("Card shop alert"),
            "shop_order": N_("Card order"),
            "shop_product": N_("Card shop product"),
            "shop_category": N_("Card shop category"),
            "shop_location": N_("Stock location"),
        },
    }
