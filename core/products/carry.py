"""Carrying an order out: its work order, the products and dated changes it makes, and where it stands.

Everything here runs inside the caller's transaction (placing the order, the
payment's settlement, a work-order change); lifecycle hooks run afterwards
(core/products/lifecycle.py). An order ends ``completed`` when every item is,
``failed`` when it is rejected or given up, ``cancelled`` when the customer
withdrew it before work started.
"""

from __future__ import annotations

from core.products import inventory, lifecycle, model
from core.products.bss import tell_bss
from core.products.catalog import catalog as load_catalog, specification
from core.products.messages import milestone
from core.products.orders import get_order, set_state
from core.products.states import (
    ACKNOWLEDGED,
    CANCELLED,
    CLOSED_ORDER,
    COMPLETED,
    CREATED,
    FAILED,
    HELD,
    IN_PROGRESS,
    PENDING,
    PENDING_ACTIVE,
    PENDING_TERMINATE,
    ACTIVE,
    SUSPENDED,
    TERMINATED,
)
from core.products.tables import LifecycleRequest, Product, ProductChange, ProductOrder, ProductOrderItem


async def items_of(order_id: int) -> list[dict]:
    return await ProductOrderItem.select().where(ProductOrderItem.order_id == order_id).order_by(ProductOrderItem.seq)


async def _set_item(item_id: int, state: str, **values) -> None:
    update = {ProductOrderItem.state: state}
    for name, value in values.items():
        update[getattr(ProductOrderItem, name)] = value
    await ProductOrderItem.update(update).where(ProductOrderItem.id == item_id)


def _summary(order: dict, items: list[dict]) -> dict:
    """The work order's data: what the operator must do, in plain values (shown as a list on its page)."""
    lines = []
    for i in items:
        params = i["params"] or {}
        what = i["offering_code"] or params.get("from_offering", "")
        if params.get("change"):
            what = f"{params['change']} {params.get('reason') or ''}".strip()
        elif i["action"] == "modify":
            what = f"{params.get('from_legacy_code') or params.get('from_offering') or '?'} -> {params.get('legacy_code') or i['offering_code']}"
        when = i["effective_at"].isoformat() if i["effective_at"] else ""
        lines.append(f"{i['seq']}. {i['action']} {i['number']} {what} {when}".strip())
    return {"product_order": order["number"], "customer": order["customer_legacy_id"], "items": "; ".join(lines)}


async def start(hall, tenant, order: dict) -> dict:
    """The order is actionable (placed with nothing to pay, or paid): tell the BSS, then open its work order or carry it out."""
    await tell_bss(tenant, order, "created")
    if not order["process"]:
        return await carry_out(hall, tenant, order)
    from core.workorders import Actor, open_order

    contact = {"phone": order["contact_phone"], "email": order["contact_email"]}
    if order["customer_account_id"] is None and not (contact["phone"] or contact["email"]):
        # an order placed for a customer with no contact on file: the work order never messages anyone
        # (notify_customer=False), but it must carry a contact to be opened
        contact = {"name": order["customer_legacy_id"], "phone": "-"}
    wo = await open_order(
        hall,
        order["process"],
        _summary(order, await items_of(order["id"])),
        title=order["title"] or order["number"],
        actor=Actor.system("products"),
        customer=order["customer_account_id"],
        contact=contact,
        language=order["language"],
    )
    await ProductOrder.update({ProductOrder.workorder_id: wo["id"]}).where(ProductOrder.id == order["id"])
    return await get_order(order["id"])


async def on_paid(hall, tenant, intent) -> None:
    """``payment_succeeded`` for an order's payment step (inside the settlement's transaction)."""
    order = (
        await ProductOrder.select()
        .where((ProductOrder.number == intent.reference) & (ProductOrder.payment_intent == intent.id))
        .first()
    )
    if order is None or order["state"] != PENDING:
        return  # cancelled meanwhile: the refund sweep gives the money back (core/products/refunds.py)
    order = await set_state(order, ACKNOWLEDGED)
    await milestone(hall, tenant, order, "paid")
    await start(hall, tenant, order)


async def _create_product(hall, tenant, order: dict, item: dict) -> dict:
    cat = await load_catalog(hall, tenant)
    offering = cat.get(item["offering_code"])
    spec = specification(hall, item["specification"])
    stamp = model.now()
    key = f"item:{item['id']}"
    await Product.insert(
        Product(
            product_key=key,
            specification=item["specification"],
            offering_code=item["offering_code"],
            name=offering.display_name(tenant.language) if offering else item["offering_code"],
            legacy_code=offering.legacy_code if offering else "",
            customer_legacy_id=order["customer_legacy_id"],
            account_legacy_id=order["account_legacy_id"] or item["number"],
            number=item["number"],
            state=CREATED,
            charged_by=spec.charged_by if spec else "bss",
            one_off_fen=item["one_off_fen"],
            monthly_fee_fen=item["monthly_fee_fen"],
            deposit_fen=item["deposit_fen"],
            min_spend_fen=offering.min_spend_fen if offering else 0,
            characteristics=dict((item["params"] or {}).get("characteristics") or {}),
            source="order",
            open_order_id=order["id"],
            created_at=stamp,
            updated_at=stamp,
        )
    ).on_conflict(action="DO NOTHING")
    product = await Product.select().where(Product.product_key == key).first()
    await inventory.record_event(product["id"], "create", "", CREATED, order_id=order["id"])
    return product


async def carry_out(hall, tenant, order: dict) -> dict:
    """The work is done (or there was none): make the products and changes, and ask their owners to act."""
    if order["state"] == ACKNOWLEDGED:
        order = await set_state(order, IN_PROGRESS, {ProductOrder.started_at: model.now()})
    stamp = model.now()
    for item in await items_of(order["id"]):
        if item["state"] != ACKNOWLEDGED:
            continue
        key = f"{order['number']}:{item['seq']}:{item['action']}"
        if item["action"] == "add":
            product = await _create_product(hall, tenant, order, item)
            await lifecycle.request(
                product, "provision", key=key, params=item["params"] or {}, order_id=order["id"], hall=hall
            )
            await _set_item(
                item["id"], IN_PROGRESS, product_id=product["id"], params={**(item["params"] or {}), "request_key": key}
            )
            continue
        product = await inventory.get_product(item["product_id"])
        change = (
            await ProductChange.select()
            .where((ProductChange.order_id == order["id"]) & (ProductChange.product_id == product["id"]))
            .first()
        )
        if change is not None and change["state"] == "ordered":
            await ProductChange.update({ProductChange.state: "scheduled"}).where(ProductChange.id == change["id"])
        due = item["effective_at"] is None or item["effective_at"] <= stamp
        if (item["params"] or {}).get("change"):
            await _change_product(hall, order, item, product, change, key, due)
            continue
        if item["action"] == "delete" and not due:
            await inventory.move(
                product,
                PENDING_TERMINATE,
                "terminate.booked",
                order_id=order["id"],
                details={"effective_at": item["effective_at"].isoformat()},
            )
            await _set_item(item["id"], COMPLETED)
            continue
        action = "modify" if item["action"] == "modify" else "terminate"
        params = {
            **(item["params"] or {}),
            "effective_at": item["effective_at"].isoformat() if item["effective_at"] else "",
        }
        if change is not None:
            params["change_id"] = change["id"]
        await lifecycle.request(product, action, key=key, params=params, order_id=order["id"], hall=hall)
        await _set_item(item["id"], IN_PROGRESS, params={**(item["params"] or {}), "request_key": key})
        if item["action"] == "delete" and change is not None:
            await ProductChange.update({ProductChange.state: "applied", ProductChange.applied_at: stamp}).where(
                ProductChange.id == change["id"]
            )
        if item["action"] == "modify" and due and change is not None:
            from core.products.changes import apply_change

            await apply_change(
                hall, tenant, await ProductChange.select().where(ProductChange.id == change["id"]).first()
            )
    await advance(hall, tenant, order["id"])
    return await get_order(order["id"])


async def _change_product(hall, order: dict, item: dict, product: dict, change: dict | None, key: str, due: bool):
    """A modify that keeps the offering: due, the owner is asked to suspend, resume or change the details now
    (the order waits for it); later, the change stays booked and the job applies it on its date."""
    if not due:
        await _set_item(item["id"], COMPLETED)
        return
    params = dict(item["params"] or {})
    action = "modify" if params["change"] == "characteristics" else params["change"]
    if change is not None:
        params["change_id"] = change["id"]
        await ProductChange.update({ProductChange.state: "applied", ProductChange.applied_at: model.now()}).where(
            ProductChange.id == change["id"]
        )
    await lifecycle.request(product, action, key=key, params=params, order_id=order["id"], hall=hall)
    await _set_item(item["id"], IN_PROGRESS, params={**(item["params"] or {}), "request_key": key})


async def advance(hall, tenant, order_id: int) -> None:
    """Items whose request is done are completed; when all are, so is the order."""
    order = await get_order(order_id)
    if order["state"] in CLOSED_ORDER or order["state"] in (PENDING, ACKNOWLEDGED):
        return
    items = await items_of(order_id)
    for item in items:
        key = (item["params"] or {}).get("request_key")
        if item["state"] == IN_PROGRESS and key:
            req = (
                await LifecycleRequest.select(LifecycleRequest.state).where(LifecycleRequest.request_key == key).first()
            )
            if req and req["state"] == "done":
                await _set_item(item["id"], COMPLETED)
                item["state"] = COMPLETED
    if all(i["state"] == COMPLETED for i in items):
        await complete(hall, tenant, order, items)


async def complete(hall, tenant, order: dict, items: list[dict]) -> None:
    order = await set_state(order, COMPLETED, {ProductOrder.closed_at: model.now(), ProductOrder.problem: ""})
    await inventory.release(order["id"])
    await tell_bss(tenant, order, "completed")
    future = [i["effective_at"] for i in items if i["effective_at"] is not None and i["effective_at"] > model.now()]
    await milestone(hall, tenant, order, "completed", effective_at=min(future) if future else None)


async def hold(hall, tenant, order_id: int, reason: str) -> None:
    order = await get_order(order_id)
    if order["state"] in (ACKNOWLEDGED, IN_PROGRESS):
        order = await set_state(order, HELD, {ProductOrder.problem: reason[:500]})
        await milestone(hall, tenant, order, "held", note=reason, public=False)
    elif order["state"] == HELD:
        await ProductOrder.update({ProductOrder.problem: reason[:500]}).where(ProductOrder.id == order_id)


async def resume_held(hall, tenant, order_id: int) -> None:
    order = await get_order(order_id)
    if order["state"] == HELD:
        order = await set_state(order, IN_PROGRESS, {ProductOrder.problem: ""})
        await milestone(hall, tenant, order, "retried", public=False)


async def request_finished(hall, tenant, order_id: int) -> None:
    order = await get_order(order_id)
    if order["state"] == HELD and not await LifecycleRequest.exists().where(
        (LifecycleRequest.order_id == order_id) & (LifecycleRequest.state == "failed")
    ):
        await set_state(order, IN_PROGRESS, {ProductOrder.problem: ""})
    await advance(hall, tenant, order_id)


async def close_unfinished(hall, tenant, order: dict, target: str, note: str) -> dict:
    """End an order that will not be carried out (cancelled, failed): its items, changes and half-made products."""
    told = order["state"] != PENDING  # productOrder.created went out once the order left the payment step
    order = await set_state(order, target, {ProductOrder.closed_at: model.now(), ProductOrder.note: note[:500]})
    await LifecycleRequest.update({LifecycleRequest.state: "abandoned"}).where(
        (LifecycleRequest.order_id == order["id"]) & LifecycleRequest.state.is_in(["pending", "failed"])
    )
    for item in await items_of(order["id"]):
        if item["state"] == COMPLETED:
            continue
        await _set_item(item["id"], target)
        if item["product_id"] is None:
            continue
        product = await inventory.get_product(item["product_id"])
        if (item["params"] or {}).get("change"):  # a change not carried out: its row no longer says it happened
            await ProductChange.update({ProductChange.state: "cancelled"}).where(
                (ProductChange.order_id == order["id"]) & (ProductChange.product_id == product["id"])
            )
        if item["action"] == "add" and product["state"] in (CREATED, PENDING_ACTIVE):
            await inventory.move(product, TERMINATED, "abandoned", order_id=order["id"], details={"note": note})
        elif item["action"] == "delete" and product["state"] == PENDING_TERMINATE:
            back = SUSPENDED if inventory.reasons_of(product) else ACTIVE
            await inventory.move(product, back, "terminate.withdrawn", order_id=order["id"])
    await ProductChange.update({ProductChange.state: "cancelled"}).where(
        (ProductChange.order_id == order["id"]) & ProductChange.state.is_in(["ordered", "scheduled"])
    )
    await inventory.release(order["id"])
    if told:
        await tell_bss(tenant, order, "cancelled" if target == CANCELLED else "failed")
    await milestone(hall, tenant, order, "cancelled" if target == CANCELLED else "failed", note=note)
    return order


async def fail(hall, tenant, order_id: int, note: str) -> dict:
    order = await get_order(order_id)
    if order["state"] in CLOSED_ORDER:
        return order
    return await close_unfinished(hall, tenant, order, FAILED, note)
