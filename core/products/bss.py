"""What the BSS hears: product-order events through the outbox (core/legacy/outbox.py), each carrying the full order.

Kinds: ``productOrder.created`` (the order is actionable: placed, and paid when
it had something to pay), ``productOrder.completed``, ``productOrder.failed``,
``productOrder.cancelled`` (only after ``created``: an order cancelled while
waiting for payment was never the BSS's business), and ``product.<action>``
for lifecycle steps of the core's own ``line`` products made outside an order.
Event ids are derived from the tenant, the order and the kind, so the BSS
sees one id per order and kind forever.
"""

from __future__ import annotations

import uuid

from core.legacy.outbox import emit
from core.products.tables import ProductOrderItem

EVENT_IDS = uuid.UUID("0d6b8a52-3c1e-4f7a-9b2d-5e8f1a2c3d4e")
INTERNAL_PARAMS = ("request_key", "change_id")  # the hall's own bookkeeping, not the BSS's business


def _iso(moment) -> str:
    return moment.isoformat() if moment is not None else ""


async def order_payload(order: dict) -> dict:
    items = (
        await ProductOrderItem.select().where(ProductOrderItem.order_id == order["id"]).order_by(ProductOrderItem.seq)
    )
    return {
        "order": order["number"],
        "state": order["state"],
        "process": order["process"],
        "customer_id": order["customer_legacy_id"],
        "account": order["account_legacy_id"],
        "channel": order["channel"],
        "amount_fen": order["amount_fen"],
        "payment_intent": order["payment_intent"],
        "created_at": _iso(order["created_at"]),
        "note": order["note"],
        "items": [
            {
                "seq": i["seq"],
                "action": i["action"],
                "state": i["state"],
                "specification": i["specification"],
                "offering": i["offering_code"],
                "legacy_code": (i["params"] or {}).get("legacy_code", ""),
                "from_offering": (i["params"] or {}).get("from_offering", ""),
                "from_legacy_code": (i["params"] or {}).get("from_legacy_code", ""),
                "number": i["number"],
                "one_off_fen": i["one_off_fen"],
                "deposit_fen": i["deposit_fen"],
                "monthly_fee_fen": i["monthly_fee_fen"],
                "effective_at": _iso(i["effective_at"]),
                "change": (i["params"] or {}).get("change", ""),
                "params": {k: v for k, v in (i["params"] or {}).items() if k not in INTERNAL_PARAMS},
            }
            for i in items
        ],
    }


def event_id(tenant_id: str, order_number: str, kind: str) -> str:
    return str(uuid.uuid5(EVENT_IDS, f"{tenant_id}:{order_number}:{kind}"))


async def tell_bss(tenant, order: dict, kind: str) -> str:
    """Emit ``productOrder.<kind>`` for ``order`` (as it is now), inside the caller's transaction."""
    full = f"productOrder.{kind}"
    return await emit(full, await order_payload(order), event_id=event_id(tenant.id, order["number"], full))


async def tell_bss_product(tenant, product: dict, action: str, key: str, params: dict) -> str:
    """Emit ``product.<action>`` for a lifecycle step of a core-owned product (a line) made outside any order."""
    payload = {
        "request": key,
        "action": action,
        "product": product["product_key"],
        "number": product["number"],
        "account": product["account_legacy_id"],
        "customer_id": product["customer_legacy_id"],
        "legacy_code": product["legacy_code"],
        "params": params,
    }
    return await emit(f"product.{action}", payload, event_id=str(uuid.uuid5(EVENT_IDS, f"{tenant.id}:{key}")))
