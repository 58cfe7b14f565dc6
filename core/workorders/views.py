"""What the console and the customer pages share: loading an order with its history, and API errors as responses."""

from __future__ import annotations


from litestar import Request
from litestar.exceptions import NotFoundException

from core.auth.tables import Operator
from core.i18n import N_
from core.localtime import local
from core.web.context import info
from core.web.forms import Form
from core.workorders import Actor, NotFound, WorkOrderError, collect_types, get_order, types_for
from core.workorders.tables import Department, WorkOrderComment, WorkOrderEvent

ACTION_LABELS = {
    "open": N_("Order opened"),
    "claim": N_("Claimed"),
    "transfer": N_("Transferred"),
    "comment": N_("Note"),
    "rate": N_("Rated"),
    "escalate": N_("Escalated: past the deadline"),
}


def actor_of(request: Request) -> Actor:
    return Actor.from_principal(info(request).principal)


def hall_of(request: Request):
    return request.app.state.hall


def not_found_on(exc: WorkOrderError) -> None:
    """A NotFound from the API is the page's 404 (another tenant's, department's or customer's order)."""
    if isinstance(exc, NotFound):
        raise NotFoundException()


async def load_order(request: Request, order_id: int) -> tuple[dict, object]:
    """(order, its type) as the current actor may see it; 404 when the API says not found or the tenant
    no longer enables the type's plugin."""
    try:
        order = await get_order(order_id, actor_of(request))
    except WorkOrderError as exc:
        not_found_on(exc)
        raise
    wt = types_for(hall_of(request), info(request).tenant).get(order["type"])
    if wt is None:
        raise NotFoundException()
    return order, wt


def form_with_errors(form: Form, exc: WorkOrderError) -> tuple[Form, str, dict, int]:
    """Field errors go next to their fields; other refusals become the page's notice. Returns (form, notice, params, status)."""
    errors = getattr(exc, "errors", None)
    if errors:
        for name, message in errors.items():
            form.error(name, message)
        return form, "", {}, 400
    return form, exc.message, exc.params, exc.status


def event_label(wt, event: dict) -> str:
    if event["action"] in ACTION_LABELS:
        return ACTION_LABELS[event["action"]]
    t = wt.transition(event["action"]) if wt else None
    return t.label if t else event["action"]


async def order_history(hall, order: dict, *, public_only: bool) -> tuple[list[dict], list[dict]]:
    """(events, comments) oldest first; for customers only what concerns them."""
    wt = collect_types(hall).get(order["type"])
    events = await WorkOrderEvent.select().where(WorkOrderEvent.workorder == order["id"]).order_by(WorkOrderEvent.id)
    comments = (
        await WorkOrderComment.select().where(WorkOrderComment.workorder == order["id"]).order_by(WorkOrderComment.id)
    )
    if public_only:

        def shown(e):
            t = wt.transition(e["action"]) if wt else None
            return e["action"] in ("open", "rate") or (t is not None and t.public)

        events = [e for e in events if shown(e)]
        comments = [c for c in comments if c["public"]]
    for e in events:
        e["label"] = event_label(wt, e)
    return events, comments


async def names() -> tuple[dict[int, str], dict[int, dict]]:
    """Operator names and departments by id, for showing an order."""
    ops = {r["id"]: r["display_name"] for r in await Operator.select(Operator.id, Operator.display_name)}
    depts = {r["id"]: r for r in await Department.select().order_by(Department.code)}
    return ops, depts


def data_template(order: dict) -> list[str]:
    """The plugin's own rendering of the form data first, else the core's key/value list."""
    return [f"workorders/data/{order['type']}.html", "workorders/_data.html"]


def local_time(request: Request):
    """``local(moment, fmt)`` for templates: a stored UTC time in the tenant's time zone."""
    tenant = info(request).tenant
    return lambda moment, fmt="minute": local(moment, tenant, fmt)
