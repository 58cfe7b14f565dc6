"""The buyer hears of their order by e-mail (else SMS): placed, paid, shipped, canceled, refunded (core.api.notify).

Each message is queued in the transaction that makes the change it reports,
so a buyer is told exactly what committed. A message carries the order's
number and a link to its page, never a PIN: the page shows the card.
A shipment's news also goes by SMS to the recipient named on the address.
"""

from __future__ import annotations

import logging

from core.api import LANGUAGES, N_, format_fen, local, mask_contact
from core.api.notify import queue_message
from core.api.web import hall_templates, route_path
from plugins.shop.tables import Product

log = logging.getLogger("hall.shop")

PURPOSE = "shop_order"
SUBJECT = N_("%(hall)s: your card shop order %(number)s")
BODIES = {
    "placed": N_(
        "We have received your order %(number)s (%(title)s, %(amount)s yuan). "
        "It is kept for you until %(until)s; pay it on its page: %(link)s"
    ),
    "paid": N_("Thank you: your payment of %(amount)s yuan for order %(number)s has arrived. Your order: %(link)s"),
    "shipped": N_(
        "Your order %(number)s (%(title)s) is on its way: %(carrier)s, tracking number %(tracking)s. Your order: %(link)s"
    ),
    "canceled": N_("Your order %(number)s (%(title)s) has been canceled. Your order: %(link)s"),
    "refunded": N_(
        "We have refunded %(amount)s yuan for your order %(number)s to the account you paid from. Your order: %(link)s"
    ),
    "aftersales_opened": N_(
        "We have received your after-sales request %(request)s about order %(number)s (%(title)s). "
        "You will find our answer on the order's page: %(link)s"
    ),
    "aftersales_refund": N_(
        "Your after-sales request %(request)s about order %(number)s is approved: we refund %(amount)s yuan. "
        "Your order: %(link)s"
    ),
    "aftersales_exchange": N_(
        "Your after-sales request %(request)s about order %(number)s is approved: the old card is void and a new "
        "card is ready on the order's page: %(link)s"
    ),
    "aftersales_resent": N_(
        "Your after-sales request %(request)s about order %(number)s is approved: a replacement is on its way, "
        "%(carrier)s, tracking number %(tracking)s. Your order: %(link)s"
    ),
    "aftersales_rejected": N_(
        "Your after-sales request %(request)s about order %(number)s is not approved: %(note)s Your order: %(link)s"
    ),
}


def base_url(tenant, settings) -> str:
    """The hall's absolute address for links: ``public_url``, else the tenant's first host, else its /t/<id> path."""
    if settings is not None and settings.public_url:
        return settings.public_url.rstrip("/")
    return f"http://{tenant.hosts[0]}" if tenant.hosts else f"http://localhost/t/{tenant.id}"


def order_link(hall, tenant, orders: list[dict]) -> str:
    """One order's page, or My orders for several."""
    settings = tenant.plugin_settings("shop")
    if len(orders) == 1:
        return base_url(tenant, settings) + route_path(hall, "shop:order", number=orders[0]["number"])
    return base_url(tenant, settings) + route_path(hall, "shop:orders")


async def _titles(orders: list[dict], language: str) -> list[str]:
    ids = sorted({o["product_id"] for o in orders})
    rows = {
        p["id"]: p
        for p in await Product.select(Product.id, Product.name_zh, Product.name_en).where(Product.id.is_in(ids))
    }
    key = "name_zh" if language.startswith("zh") else "name_en"
    return [rows[o["product_id"]][key] for o in orders if o["product_id"] in rows]


async def tell(hall, tenant, orders: list[dict], event: str, *, values: dict | None = None, to: str = "") -> int:
    """Queue ``event``'s news of ``orders`` (one checkout, one buyer) to the buyer - or by SMS to the phone ``to``.

    Returns how many messages were queued (0: no contact on file, or one that is not an address or a number;
    a bad contact never stops the change the message reports).
    """
    if not orders:
        return 0
    first = orders[0]
    channel, recipient = (
        ("email", first["contact_email"]) if first["contact_email"] else ("sms", first["contact_phone"])
    )
    if to:
        channel, recipient = "sms", to
    if not recipient:
        return 0
    language = first["language"] if first["language"] in LANGUAGES else tenant.language
    _ = hall_templates(hall).gettext(language)
    titles = await _titles(orders, language)
    params = {
        "hall": tenant.display_name(language),
        "number": ", ".join(o["number"] for o in orders),
        "title": "、".join(titles) if language.startswith("zh") else ", ".join(titles),
        "amount": format_fen(sum(int(o["price_fen"]) for o in orders)),
        "until": local(first.get("hold_until"), tenant),
        "link": order_link(hall, tenant, orders),
        "carrier": "",
        "tracking": "",
        **(values or {}),
    }
    try:
        await queue_message(
            channel=channel,
            recipient=recipient,
            subject=_(SUBJECT) % {"hall": params["hall"], "number": first["number"]},
            body_text=_(BODIES[event]) % params,
            purpose=PURPOSE,
            params={"number": first["number"], "event": event},
        )
    except ValueError:
        log.warning("order %s: no %s news to %s, not a valid contact", first["number"], event, mask_contact(recipient))
        return 0
    return 1
