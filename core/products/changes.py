"""Dated changes taking effect: a plan change on the first of next month, a booked termination, a dated pause.

The job ``core.products.run`` applies every ``scheduled`` change whose
``effective_at`` has come, each exactly once: the move to ``applied`` is a
conditional UPDATE in the transaction that changes the product. A change of
offering rewrites the product's offering and prices (the applied row keeps the
old and new values: the price history the charge run reads); a termination,
suspension, resumption or change of details becomes a lifecycle request of the owning plugin.
"""

from __future__ import annotations

from core.db import transaction
from core.products import inventory, lifecycle, model
from core.products.messages import milestone
from core.products.states import TERMINATED
from core.products.tables import Product, ProductChange, ProductOrder

LIFECYCLE_KINDS = {"terminate": "terminate", "suspend": "suspend", "resume": "resume"}


async def apply_change(hall, tenant, change: dict) -> bool:
    """Apply one scheduled change (inside the caller's transaction); False when someone else already did."""
    stamp = model.now()
    taken = (
        await ProductChange.update({ProductChange.state: "applied", ProductChange.applied_at: stamp})
        .where((ProductChange.id == change["id"]) & (ProductChange.state == "scheduled"))
        .returning(ProductChange.id)
    )
    if not taken:
        return False
    product = await inventory.get_product(change["product_id"])
    values = change["changes"] or {}
    if product["state"] == TERMINATED:  # ended meanwhile: nothing to change any more
        await ProductChange.update({ProductChange.state: "cancelled"}).where(ProductChange.id == change["id"])
        return False
    if change["kind"] == "offering":
        await Product.update(
            {
                Product.offering_code: values.get("offering_code", product["offering_code"]),
                Product.name: (values.get("name") or product["name"])[:100],
                Product.legacy_code: values.get("legacy_code", product["legacy_code"]),
                Product.monthly_fee_fen: int(values.get("monthly_fee_fen", product["monthly_fee_fen"])),
                Product.updated_at: stamp,
            }
        ).where(Product.id == product["id"])
        await inventory.record_event(
            product["id"],
            "apply",
            product["state"],
            product["state"],
            order_id=change["order_id"],
            details={
                "change": change["id"],
                "from": values.get("from_offering_code", ""),
                "to": values.get("offering_code", ""),
            },
        )
    elif change["kind"] == "characteristics":
        await lifecycle.request(product, "modify", key=f"change:{change['id']}:modify", params=dict(values), hall=hall)
    elif change["kind"] in LIFECYCLE_KINDS:
        await lifecycle.request(
            product,
            LIFECYCLE_KINDS[change["kind"]],
            key=f"change:{change['id']}:{change['kind']}",
            params=dict(values),
            hall=hall,
        )
    if change["order_id"] is not None:
        order = await ProductOrder.select().where(ProductOrder.id == change["order_id"]).first()
        if order is not None:
            await milestone(hall, tenant, order, "applied")
    return True


async def apply_due(hall, tenant, limit: int = 500) -> int:
    """Apply the scheduled changes whose time has come, oldest first; returns how many this call applied."""
    due = (
        await ProductChange.select()
        .where((ProductChange.state == "scheduled") & (ProductChange.effective_at <= model.now()))
        .order_by(ProductChange.effective_at)
        .limit(limit)
    )
    applied = 0
    for change in due:
        async with transaction():
            applied += await apply_change(hall, tenant, change)
    return applied


async def schedule(product_id: int, kind: str, effective_at, values: dict | None = None) -> int:
    """Book a dated change outside any order (a suspension for arrears on the 10th, a pause the customer asked for).

    It is ``scheduled`` at once and shown to the customer until it takes effect. Inside the caller's transaction.
    """
    if kind not in ("offering", *LIFECYCLE_KINDS):
        raise ValueError(f"a change is one of offering, {', '.join(LIFECYCLE_KINDS)} (got {kind!r})")
    rows = await ProductChange.insert(
        ProductChange(
            product_id=product_id,
            kind=kind,
            changes=values or {},
            effective_at=effective_at,
            state="scheduled",
            created_at=model.now(),
        )
    )
    return rows[0]["id"]


async def cancel_scheduled(change_id: int) -> bool:
    """Withdraw a dated change that has not taken effect; False when it already has (or was withdrawn)."""
    done = (
        await ProductChange.update({ProductChange.state: "cancelled"})
        .where((ProductChange.id == change_id) & ProductChange.state.is_in(["ordered", "scheduled"]))
        .returning(ProductChange.id)
    )
    return bool(done)
