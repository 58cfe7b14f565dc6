"""Placing a product order (TMF622): items checked, one order per submission, the payment step, the work order.

``place_order`` is idempotent under the submission's ``request_key``: a unique
index on it, and a loser of a concurrent double-submit rolls its whole
transaction back (its order number included) and returns the winner's order.
Each product an order changes is taken for that order (``Product.open_order_id``,
a conditional UPDATE), so two different orders cannot change one product at once.
"""

from __future__ import annotations

from core.db import transaction
from core.i18n import N_
from core.money import format_fen
from core.products import inventory, model
from core.products import items as order_items
from core.products.items import OrderItem
from core.products.messages import milestone
from core.products.model import Conflict, NotEligible, NotFound, ProductError
from core.products.process import process_of
from core.products.states import ACKNOWLEDGED, PENDING, check_order_move
from core.products.tables import ProductOrder, ProductOrderItem
from core.tenancy import require_tenant
from core.workorders.numbering import next_number

NUMBER_PREFIX = "PO"
OWNER = "core.products"
__all__ = ["OrderItem", "get_order", "place_order", "set_state"]


class _Duplicate(Exception):
    """A concurrent submission with the same key won: roll ours back and return theirs."""


def _provider(hall, tenant) -> str:
    from core.payments.registry import enabled_providers

    providers = enabled_providers(hall, tenant)
    if not providers:
        raise ProductError(N_("Online payment is not available at the moment, so this cannot be ordered online."))
    return providers[0]


async def place_order(
    hall,
    *,
    customer_id: str,
    items: list[OrderItem],
    request_key: str,
    title: str,
    process: str = "",
    customer_account_id: int | None = None,
    channel: str = "portal",
    language: str = "",
) -> dict:
    """Place an order for ``customer_id`` (a legacy customer id); the same ``request_key`` returns the same order."""
    tenant = require_tenant()
    if not request_key or len(request_key) > 160:
        raise ProductError(N_("This form has expired; please start again."))
    existing = await ProductOrder.select().where(ProductOrder.request_key == request_key).first()
    if existing is not None:
        return _same_customer(existing, customer_id)
    if process and process_of(hall, process) is None:
        raise ProductError(N_("This cannot be ordered here."))
    try:
        order = await _place(
            hall, tenant, customer_id, items, request_key, title, process, customer_account_id, channel, language
        )
    except (_Duplicate, NotEligible, Conflict):
        # a concurrent submission of the same form won meanwhile (and took the product): its order is the answer
        existing = await ProductOrder.select().where(ProductOrder.request_key == request_key).first()
        if existing is None:
            raise
        return _same_customer(existing, customer_id)
    from core.products.lifecycle import run_pending

    await run_pending(hall, tenant, order_id=order["id"])
    return await get_order(order["id"])


async def _place(
    hall, tenant, customer_id, items, request_key, title, process, customer_account_id, channel, language
) -> dict:
    """Check, then write the order, its items, locks and pending changes, and take its first step: one transaction."""
    resolved = await order_items.resolve(hall, tenant, customer_id, items)
    contact = await order_items.contact_of(customer_id, customer_account_id)
    amount = sum(r["one_off_fen"] + r["deposit_fen"] for r in resolved)
    account = await order_items.account_of(resolved)
    async with transaction():
        stamp = model.now()
        inserted = await ProductOrder.insert(
            ProductOrder(
                number=await next_number(NUMBER_PREFIX, stamp),
                request_key=request_key,
                state=PENDING if amount else ACKNOWLEDGED,
                title=title[:200],
                process=process,
                customer_legacy_id=customer_id,
                customer_account_id=customer_account_id,
                account_legacy_id=account,
                channel=channel,
                language=language[:8],
                contact_phone=contact["phone"][:32],
                contact_email=contact["email"][:254],
                amount_fen=amount,
                created_at=stamp,
                updated_at=stamp,
            )
        ).on_conflict(target=(ProductOrder.tenant, ProductOrder.request_key), action="DO NOTHING")
        if not inserted:
            raise _Duplicate()  # rolls back our order number with the rest
        order_id = inserted[0]["id"]
        for r in resolved:
            offering = r["offering"]
            await ProductOrderItem.insert(
                ProductOrderItem(
                    order_id=order_id,
                    seq=r["seq"],
                    action=r["item"].action,
                    state=ACKNOWLEDGED,
                    specification=r["specification"],
                    offering_code=offering.code if offering else "",
                    product_id=r["product"]["id"] if r["product"] else None,
                    number=r["number"],
                    one_off_fen=r["one_off_fen"],
                    deposit_fen=r["deposit_fen"],
                    monthly_fee_fen=offering.monthly_fee_fen if offering and r["item"].action != "delete" else 0,
                    effective_at=r["effective_at"],
                    params=order_items.item_params(r),
                )
            )
            if r["product"] is not None:
                await inventory.lock_for_order(r["product"]["id"], order_id)
                await order_items.book_change(tenant, r, order_id)
        order = await get_order(order_id)
        await milestone(hall, tenant, order, "placed")
        if amount:
            return await _payment_step(hall, tenant, order)
        from core.products.carry import start

        return await start(hall, tenant, order)


def _same_customer(order: dict | None, customer_id: str) -> dict:
    if order is None or order["customer_legacy_id"] != customer_id:
        raise Conflict(N_("This form has expired; please start again."))
    return order


async def _payment_step(hall, tenant, order: dict) -> dict:
    """The order waits for its payment: an intent for the one-off fees and deposits (inside the order's transaction)."""
    from core.payments import create_intent

    items = (
        await ProductOrderItem.select().where(ProductOrderItem.order_id == order["id"]).order_by(ProductOrderItem.seq)
    )
    intent = await create_intent(
        hall,
        purpose="product_order",
        owner=OWNER,
        reference=order["number"],
        customer_id=order["customer_legacy_id"],
        amount_fen=order["amount_fen"],
        provider=_provider(hall, tenant),
        subject=order["title"][:128],
        idempotency_key=f"products:{order['number']}",
        metadata={
            "order": order["number"],
            "account": order["account_legacy_id"],
            "items": [
                {
                    "seq": i["seq"],
                    "number": i["number"],
                    "offering": i["offering_code"],
                    "one_off_fen": i["one_off_fen"],
                    "deposit_fen": i["deposit_fen"],
                }
                for i in items
            ],
        },
    )
    await ProductOrder.update({ProductOrder.payment_intent: intent.id}).where(ProductOrder.id == order["id"])
    order = await get_order(order["id"])
    await milestone(hall, tenant, order, "awaiting_payment", values={"amount": format_fen(order["amount_fen"])})
    return order


async def get_order(order_id: int) -> dict:
    row = await ProductOrder.select().where(ProductOrder.id == order_id).first()
    if row is None:
        raise NotFound(N_("No such order."))
    return row


async def set_state(order: dict, target: str, values: dict | None = None) -> dict:
    """Move ``order`` (as read) to ``target`` if it is still in the state read; Conflict otherwise."""
    check_order_move(order["state"], target)
    stamp = model.now()
    update = {ProductOrder.state: target, ProductOrder.updated_at: stamp, **(values or {})}
    done = (
        await ProductOrder.update(update)
        .where((ProductOrder.id == order["id"]) & (ProductOrder.state == order["state"]))
        .returning(ProductOrder.id)
    )
    if not done:
        raise Conflict(N_("This order changed meanwhile; look at it again."))
    from core.tmf.events import order_state_changed  # the public API's hub (docs/api.md)

    moved = await get_order(order["id"])
    await order_state_changed(moved)
    return moved


async def hold(hall, tenant, order_id: int, reason: str) -> None:
    """A step of the order failed: the order is held with the reason until an operator retries or gives up."""
    from core.products.carry import hold as hold_order

    await hold_order(hall, tenant, order_id, reason)


async def resume_held(hall, tenant, order_id: int) -> None:
    from core.products.carry import resume_held as resume

    await resume(hall, tenant, order_id)


async def request_finished(hall, tenant, order_id: int) -> None:
    from core.products.carry import request_finished as finished

    await finished(hall, tenant, order_id)
