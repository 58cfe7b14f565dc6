"""Completion read back from the BSS: a connector that can say what became of the orders the hall sent.

The port :class:`ProductOrderStateSource` is optional. When the tenant's
connector offers it, the job ``core.products.read_back`` asks about the open
orders whose work order is still at a step, and completes (``bss_confirm``)
or rejects (``bss_reject``) the work order as the system, so the order goes on
exactly as if an operator had done it in the console.
"""

from __future__ import annotations

import logging
from typing import Protocol, runtime_checkable

from core.products.process import CONFIRM_ACTION, OUTCOMES, REJECT_BY_BSS
from core.products.states import ACKNOWLEDGED, IN_PROGRESS
from core.products.tables import ProductOrder

log = logging.getLogger("hall.products")
BATCH = 200


@runtime_checkable
class ProductOrderStateSource(Protocol):
    """A connector port: the BSS's state of product orders the hall sent (``productOrder.created`` events)."""

    async def product_order_states(self, numbers: list[str]) -> dict[str, tuple[str, str]]:
        """{order number: (state, note)} for those the BSS knows; state is ``completed``, ``failed`` or anything
        else (still being worked on). ``note`` is the BSS's reason for a failure ("" otherwise)."""
        ...


async def read_back(hall, tenant) -> int:
    """Ask the BSS about open orders at a work-order step; complete or reject those it has finished. Returns how many."""
    from core.workorders import Actor, WorkOrderError, transition
    from core.workorders.tables import WorkOrder

    connector = hall.connector(tenant)
    if not isinstance(connector, ProductOrderStateSource):
        return 0
    orders = (
        await ProductOrder.select(ProductOrder.number, ProductOrder.workorder_id)
        .where(ProductOrder.state.is_in([ACKNOWLEDGED, IN_PROGRESS]) & ProductOrder.workorder_id.is_not_null())
        .order_by(ProductOrder.id)
        .limit(BATCH)
    )
    if not orders:
        return 0
    try:
        states = await connector.product_order_states([o["number"] for o in orders])
    except Exception as exc:  # the BSS is away: ask again next time
        log.warning("tenant %s: product order states could not be read back: %s", tenant.id, exc)
        return 0
    moved = 0
    for order in orders:
        state, note = states.get(order["number"], ("", ""))
        if state not in ("completed", "failed"):
            continue
        wo = await WorkOrder.select(WorkOrder.state).where(WorkOrder.id == order["workorder_id"]).first()
        if wo is None or wo["state"] in OUTCOMES:
            continue
        action = CONFIRM_ACTION if state == "completed" else REJECT_BY_BSS
        try:
            await transition(hall, order["workorder_id"], action, Actor.system("BSS"), comment=note or "")
            moved += 1
        except WorkOrderError as exc:  # an operator was faster
            log.info("order %s: read-back %s not applied: %s", order["number"], state, exc)
    return moved
