"""What the products pages do: the customer cancels, an operator moves an order's work on, retries a failed step or
gives an order up. Each change is one transaction with its audit entry; lifecycle hooks and refunds run after it."""

from __future__ import annotations

from core.db import transaction
from core.i18n import N_
from core.products import carry, lifecycle, refunds
from core.products.model import Conflict, NotFound, ProductError
from core.products.orders import get_order
from core.products.process import CANCEL_ACTION
from core.products.states import CLOSED_ORDER, CUSTOMER_MAY_CANCEL, PENDING, CANCELLED
from core.products.tables import LifecycleRequest

STARTED = N_("Work on this order has started, so it can no longer be cancelled here. Please call us.")


async def _close_payment(hall, tenant, order: dict) -> None:
    """An unpaid order's payment is closed at the gateway before the order is cancelled (it can no longer be paid)."""
    from core.payments import ProviderUnavailable, cancel

    try:
        await cancel(hall, order["payment_intent"], reason=f"product order {order['number']} cancelled")
    except ProviderUnavailable:
        raise ProductError(
            N_("The payment service cannot be reached to close the payment. Please try again in a few minutes.")
        ) from None
    except Exception:  # the gateway would not close it: paid this very moment; the order goes on as paid
        from core.payments import get_intent, refresh_from_gateway

        intent = await get_intent(order["payment_intent"])
        if intent is not None and intent.open:
            await refresh_from_gateway(hall, tenant, intent)


async def cancel_by_customer(hall, tenant, order_id: int, customer_id: str, note: str = "") -> dict:
    """The customer withdraws their order: allowed until work starts (waiting for payment, or received)."""
    order = await get_order(order_id)
    if order["customer_legacy_id"] != customer_id:
        raise NotFound(N_("No such order."))
    if order["state"] not in CUSTOMER_MAY_CANCEL:
        raise Conflict(STARTED if order["state"] not in CLOSED_ORDER else N_("This order is closed."))
    if order["state"] == PENDING and order["payment_intent"]:
        await _close_payment(hall, tenant, order)
    async with transaction():
        order = await get_order(order_id)  # the payment may have arrived meanwhile: then it is "received" now
        if order["state"] not in CUSTOMER_MAY_CANCEL:
            raise Conflict(STARTED if order["state"] not in CLOSED_ORDER else N_("This order is closed."))
        if order["workorder_id"] is not None:
            from core.workorders import Actor, WorkOrderError, transition

            try:
                await transition(hall, order["workorder_id"], CANCEL_ACTION, Actor.system("customer"))
            except WorkOrderError:
                raise Conflict(STARTED) from None
        order = await carry.close_unfinished(hall, tenant, order, CANCELLED, note[:500])
    await refunds.refund_order(hall, order)
    return await get_order(order_id)


async def operator_step(hall, tenant, order_id: int, action: str, actor, auditor, comment: str = "") -> dict:
    """An operator takes a step of the order's work order from the order's page; then its lifecycle steps run."""
    from core.workorders import transition

    order = await get_order(order_id)
    if order["workorder_id"] is None:
        raise Conflict(N_("This order has no work to carry out by hand."))
    async with transaction():
        wo = await transition(hall, order["workorder_id"], action, actor, comment=comment)
        await auditor.record(
            "product_order.step",
            object_type="product_order",
            object_id=order_id,
            after={"action": action, "state": wo["state"]},
        )
    await lifecycle.run_pending(hall, tenant, order_id=order_id)
    await refunds.refund_order(hall, await get_order(order_id))
    return await get_order(order_id)


async def operator_fail(hall, tenant, order_id: int, note: str, auditor) -> dict:
    """An operator gives an order up (a step that cannot succeed): it fails, half-made products end, money goes back."""
    if not note.strip():
        raise ProductError(N_("Say why, for the customer."))
    async with transaction():
        before = await get_order(order_id)
        if before["state"] in CLOSED_ORDER:
            raise Conflict(N_("This order is closed."))
        order = await carry.fail(hall, tenant, order_id, note.strip())
        if before["workorder_id"] is not None:
            await _reject_work(hall, before["workorder_id"], note.strip())
        await auditor.record(
            "product_order.fail",
            object_type="product_order",
            object_id=order_id,
            before={"state": before["state"]},
            after={"state": order["state"], "note": note},
        )
    await refunds.refund_order(hall, order)
    return await get_order(order_id)


async def _reject_work(hall, workorder_id: int, note: str) -> None:
    """Close the order's work order too, if it is still open (as the system: the operator's decision is the order's)."""
    from core.products.process import GIVE_UP, OUTCOMES
    from core.workorders import Actor, transition
    from core.workorders.tables import WorkOrder

    wo = await WorkOrder.select(WorkOrder.state).where(WorkOrder.id == workorder_id).first()
    if wo is not None and wo["state"] not in OUTCOMES:
        await transition(hall, workorder_id, GIVE_UP, Actor.system("operator"), comment=note)


async def retry_request(hall, tenant, request_id: int, auditor) -> dict:
    """An operator retries a failed lifecycle step; audited, then run at once (its outcome is on the page)."""
    req = await LifecycleRequest.select().where(LifecycleRequest.id == request_id).first()
    if req is None:
        raise NotFound(N_("No such step."))
    async with transaction():
        await auditor.record(
            "product.retry",
            object_type="product",
            object_id=req["product_id"],
            after={"request": req["request_key"], "action": req["action"]},
        )
    return await lifecycle.retry(hall, tenant, request_id)
