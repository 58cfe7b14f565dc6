"""The public API's helpers for plugins that add resources (``register_api_routes``; docs/api.md)."""

from core.tmf import PREFIX
from core.tmf.caller import ApiCaller, ApiError, api_caller
from core.tmf.errors_spec import errors
from core.tmf.models import Payment, TroubleTicket
from core.tmf.orders import OrderRequest, ProductOrderKind
from core.tmf.models import ProductOrder as ProductOrderResource
from core.tmf.routes_payments import payment_created, payment_view
from core.tmf.routes_products import order_view
from core.tmf.routes_tickets import ticket_view
from core.tmf.shape import Fields, Limit, Offset, href, listing, money, one, when


async def publish_event(kind: str, resource: dict) -> int:
    """Tell the hub's listeners of a change to a plugin's resource (TM Forum's event name as ``kind``, e.g.
    ``ServiceOrderStateChangeEvent``; ``resource`` a small reference such as ``{"serviceOrder": {"id", "href",
    "state"}}``, never personal data). Call it inside the transaction of the change: the event is written for each
    listener that wants it and delivered by the job ``core.api_hub`` (retries, dead letters), so only changes that
    commit are told, once. Answers how many listeners will be told."""
    from core.tmf.hub import publish

    return await publish(kind, resource)


__all__ = [
    "PREFIX",
    "ApiCaller",
    "ApiError",
    "api_caller",
    "errors",
    "Payment",
    "TroubleTicket",
    "ProductOrderResource",
    "OrderRequest",
    "ProductOrderKind",
    "order_view",
    "payment_created",
    "payment_view",
    "ticket_view",
    "Fields",
    "Limit",
    "Offset",
    "href",
    "listing",
    "money",
    "one",
    "when",
    "publish_event",
]
