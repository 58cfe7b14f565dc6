"""What the hub tells listeners, in TM Forum's event names: TroubleTicketStateChangeEvent, PaymentCreateEvent (a
payment succeeded), ProductOrderStateChangeEvent, CustomerBillCreateEvent. Each is written by :func:`hub.publish` in
the transaction of the change; the resource is a small reference, never a customer's personal data."""

from __future__ import annotations

from core.products.tables import ProductOrder
from core.tmf import PREFIX, hub
from core.tmf.routes_tickets import tmf_state


async def ticket_changed(order: dict, event: dict) -> None:
    if await ProductOrder.exists().where(ProductOrder.workorder_id == order["id"]):
        return  # the work of a product order: its order's own event says it
    await hub.publish(
        "TroubleTicketStateChangeEvent",
        {
            "troubleTicket": {
                "id": str(order["id"]),
                "href": f"{PREFIX}/troubleTicket/{order['id']}",
                "name": order["number"],
                "ticketType": order["type"],
                "status": tmf_state(event["to_state"]),
            }
        },
    )


async def payment_succeeded(intent) -> None:
    await hub.publish(
        "PaymentCreateEvent",
        {
            "payment": {
                "id": intent.id,
                "href": f"{PREFIX}/payment/{intent.id}",
                "status": "succeeded",
                "purpose": intent.purpose,
                "totalAmount": {"unit": intent.currency, "value": round(intent.amount_fen / 100, 2)},
            }
        },
    )


async def order_state_changed(order: dict) -> None:
    await hub.publish(
        "ProductOrderStateChangeEvent",
        {
            "productOrder": {
                "id": str(order["id"]),
                "href": f"{PREFIX}/productOrder/{order['id']}",
                "externalId": order["number"],
                "state": order["state"],
            }
        },
    )


async def bill_created(bill: dict) -> None:
    await hub.publish(
        "CustomerBillCreateEvent",
        {
            "customerBill": {
                "id": bill["legacy_id"],
                "href": f"{PREFIX}/customerBill/{bill['legacy_id']}",
                "billingAccount": {"id": bill.get("account_legacy_id") or bill.get("number")},
            }
        },
    )
