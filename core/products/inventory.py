"""The product inventory: reading products, moving them through their states, and their history.

Every write here runs inside the caller's transaction; every state move is
checked against core/products/states.py and leaves a ``core_product_event``.
"""

from __future__ import annotations

from typing import Any

from core.i18n import N_
from core.products import model
from core.products.model import Conflict, NotFound
from core.products.states import (
    ACTIVE,
    SUSPEND_REASONS,
    SUSPENDED,
    TERMINATED,
    check_product_move,
)
from core.products.tables import Product, ProductChange, ProductEvent

PENDING_CHANGE = ("ordered", "scheduled")
BLOCKING_KINDS = ("offering", "terminate")  # a booked plan change or end blocks another order; a dated pause does not


async def get_product(product_id: int) -> dict:
    row = await Product.select().where(Product.id == product_id).first()
    if row is None:
        raise NotFound(N_("No such product."))
    return row


async def products_of_accounts(accounts: list[str], *, include_ended: bool = False) -> list[dict]:
    """The products on these accounts (numbers, for a BSS without accounts), newest state first per account."""
    if not accounts:
        return []
    query = Product.select().where(Product.account_legacy_id.is_in(sorted(set(accounts))))
    if not include_ended:
        query = query.where(Product.state != TERMINATED)
    return await query.order_by(Product.account_legacy_id).order_by(Product.number).order_by(Product.id)


async def pending_changes(product_ids: list[int]) -> dict[int, list[dict]]:
    """Dated changes not yet applied (ordered or scheduled), by product, soonest first: what the customer must see."""
    if not product_ids:
        return {}
    rows = (
        await ProductChange.select()
        .where(ProductChange.product_id.is_in(product_ids) & ProductChange.state.is_in(list(PENDING_CHANGE)))
        .order_by(ProductChange.effective_at)
    )
    out: dict[int, list[dict]] = {}
    for row in rows:
        out.setdefault(row["product_id"], []).append(row)
    return out


async def record_event(
    product_id: int,
    action: str,
    from_state: str = "",
    to_state: str = "",
    *,
    order_id: int | None = None,
    actor_kind: str = "system",
    actor_name: str = "",
    details: dict[str, Any] | None = None,
) -> None:
    await ProductEvent.insert(
        ProductEvent(
            product_id=product_id,
            action=action[:32],
            from_state=from_state,
            to_state=to_state,
            order_id=order_id,
            actor_kind=actor_kind,
            actor_name=actor_name[:100],
            details=details or {},
            at=model.now(),
        )
    )


async def move(
    product: dict,
    target: str,
    action: str,
    *,
    values: dict | None = None,
    order_id: int | None = None,
    details: dict | None = None,
    actor_kind: str = "system",
    actor_name: str = "",
) -> dict:
    """Move ``product`` (as read) to ``target``, conditional on its state being unchanged; raises IllegalTransition."""
    check_product_move(product["state"], target)
    stamp = model.now()
    update: dict = {Product.state: target, Product.updated_at: stamp, **(values or {})}
    if target == ACTIVE and product["started_at"] is None:
        update[Product.started_at] = stamp
    if target == TERMINATED:
        update[Product.ended_at] = stamp
        update[Product.suspend_reasons] = ""
    done = (
        await Product.update(update)
        .where((Product.id == product["id"]) & (Product.state == product["state"]))
        .returning(Product.id)
    )
    if not done:
        raise Conflict(N_("This product changed meanwhile; look at it again."))
    await record_event(
        product["id"],
        action,
        product["state"],
        target,
        order_id=order_id,
        details=details,
        actor_kind=actor_kind,
        actor_name=actor_name,
    )
    return await get_product(product["id"])


def reasons_of(product: dict) -> list[str]:
    return [r for r in (product["suspend_reasons"] or "").split(",") if r]


def with_reason(product: dict, reason: str, add: bool) -> str:
    """The suspend reasons after adding or lifting ``reason``: kept sorted, so the column compares as a set."""
    if reason not in SUSPEND_REASONS:
        raise ValueError(f"suspend reason must be one of {', '.join(SUSPEND_REASONS)} (got {reason!r})")
    reasons = set(reasons_of(product))
    (reasons.add if add else reasons.discard)(reason)
    return ",".join(sorted(reasons))


async def set_problem(product_id: int, problem: str) -> None:
    await Product.update({Product.problem: problem[:500], Product.updated_at: model.now()}).where(
        Product.id == product_id
    )


async def lock_for_order(product_id: int, order_id: int) -> None:
    """Take the product for ``order_id`` (one open order per product), race-free on both engines; else Conflict."""
    taken = (
        await Product.update({Product.open_order_id: order_id})
        .where((Product.id == product_id) & Product.open_order_id.is_null())
        .returning(Product.id)
    )
    if not taken:
        raise Conflict(N_("Another order for this is being carried out; wait until it is finished."))
    booked = await ProductChange.exists().where(
        (ProductChange.product_id == product_id)
        & ProductChange.state.is_in(list(PENDING_CHANGE))
        & ProductChange.kind.is_in(list(BLOCKING_KINDS))
        & ((ProductChange.order_id != order_id) | ProductChange.order_id.is_null())
    )
    if booked:
        raise Conflict(N_("A change of this is already booked; it must take effect first."))


async def release(order_id: int) -> None:
    await Product.update({Product.open_order_id: None}).where(Product.open_order_id == order_id)


def state_after_resume(product: dict, reason: str) -> tuple[str, str]:
    """(state, reasons) once ``reason`` is lifted: still suspended while another reason holds it."""
    left = with_reason(product, reason, add=False)
    return (SUSPENDED if left else ACTIVE), left
