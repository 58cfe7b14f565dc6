"""How a product order follows its work order (the ``workorder_changed`` hook of ``core.products``).

Called inside the work order's transaction, so the order moves with it or not
at all. The first operator touch (claim, a step, a public note) means work has
started: the customer can no longer cancel. Reaching a step restarts the
deadline for that step. ``completed`` carries the order out; ``rejected``
fails it (with the operator's or the BSS's note); ``cancelled`` is the
customer's own withdrawal, already recorded by the products core.
"""

from __future__ import annotations

from core.products import carry, model
from core.products.messages import milestone
from core.products.orders import set_state
from core.products.process import CANCELLED, COMPLETED, REJECTED, process_of
from core.products.states import ACKNOWLEDGED, IN_PROGRESS
from core.products.tables import ProductOrder


async def _last_public_note(workorder_id: int) -> str:
    from core.workorders.tables import WorkOrderComment

    row = (
        await WorkOrderComment.select(WorkOrderComment.body)
        .where((WorkOrderComment.workorder == workorder_id) & WorkOrderComment.public.eq(True))
        .order_by(WorkOrderComment.id, ascending=False)
        .first()
    )
    return row["body"] if row else ""


async def workorder_changed(hall, tenant, wo: dict, event: dict) -> None:
    process = process_of(hall, wo["type"])
    if process is None or event["action"] == "open":
        return
    order = await ProductOrder.select().where(ProductOrder.workorder_id == wo["id"]).first()
    if order is None:
        return
    target = event["to_state"]
    if target == CANCELLED:
        return
    if target == REJECTED:
        await carry.fail(hall, tenant, order["id"], await _last_public_note(wo["id"]))
        return
    action = event["action"]
    touched = event["actor_kind"] == "operator" and (
        action == "claim"
        or action.startswith("finish_")
        or (action == "comment" and (event["details"] or {}).get("public"))
    )
    if order["state"] == ACKNOWLEDGED and (touched or target == COMPLETED):
        order = await set_state(order, IN_PROGRESS, {ProductOrder.started_at: model.now()})
        await milestone(hall, tenant, order, "started")
    if target == COMPLETED:
        await carry.carry_out(hall, tenant, order)
        return
    if action == "comment" and touched:
        await milestone(hall, tenant, order, "note", note=await _last_public_note(wo["id"]))
    if event["from_state"] != target and process.step_of(target):
        from core.workorders.deadlines import restart_deadline

        await restart_deadline(wo["id"], process.step_hours.get(target))
        label = process.state_label(target)
        await milestone(hall, tenant, order, "step", note=label, values={"step": label})
