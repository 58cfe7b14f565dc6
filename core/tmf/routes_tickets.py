"""TMF621 troubleTicket: the customer's complaints, consultations and other requests (work orders), with the notes
they may read and every status change. Plugins that own a ticket type create them (``register_api_routes``)."""

from __future__ import annotations

from litestar import Request, Response, get
from litestar.params import FromPath

from core.i18n import N_
from core.products.tables import ProductOrder
from core.tmf import models
from core.tmf.caller import ApiError, api_caller
from core.tmf.errors_spec import errors
from core.tmf.shape import Fields, Limit, Offset, href, listing, one, when
from core.workorders.tables import WorkOrder, WorkOrderComment, WorkOrderEvent

READ = {"scope": "customer.read"}
# The hall's work-order states in TMF621's words; a type's own state keeps its name.
STATES = {
    "new": "acknowledged",
    "handling": "inProgress",
    "answered": "resolved",
    "resolved": "resolved",
    "closed": "closed",
}


def tmf_state(state: str) -> str:
    return STATES.get(state, state)


async def ticket_view(request: Request, row: dict) -> dict:
    notes = (
        await WorkOrderComment.select()
        .where((WorkOrderComment.workorder == row["id"]) & (WorkOrderComment.public == True))  # noqa: E712
        .order_by(WorkOrderComment.at)
    )
    events = (
        await WorkOrderEvent.select(WorkOrderEvent.to_state, WorkOrderEvent.at)
        .where((WorkOrderEvent.workorder == row["id"]) & (WorkOrderEvent.to_state != ""))
        .order_by(WorkOrderEvent.at)
    )
    return {
        "id": str(row["id"]),
        "href": href(request, "troubleTicket", row["id"]),
        "@type": "TroubleTicket",
        "name": row["number"],
        "description": row["title"],
        "ticketType": row["type"],
        "status": tmf_state(row["state"]),
        "creationDate": when(row["created_at"]),
        "lastUpdate": when(row["updated_at"]),
        "resolutionDate": when(row["resolved_at"]),
        "note": [{"text": n["body"], "date": when(n["at"]), "author": n["author_name"]} for n in notes],
        "statusChange": [{"status": tmf_state(e["to_state"]), "changeDate": when(e["at"])} for e in events],
    }


async def _where(customer: int):
    carried = [
        r["workorder_id"]
        for r in await ProductOrder.select(ProductOrder.workorder_id).where(ProductOrder.workorder_id.is_not_null())
    ]
    where = WorkOrder.customer == customer
    return where & WorkOrder.id.not_in(carried) if carried else where


@get("/troubleTicket", opt=READ, name="api:trouble_ticket.list", responses=errors())
async def list_tickets(
    request: Request, fields: Fields = None, offset: Offset = 0, limit: Limit = 20
) -> Response[list[models.TroubleTicket]]:
    """The customer's tickets, newest first (product orders' work is in productOrder)."""
    where = await _where(api_caller(request).customer)
    rows = await WorkOrder.select().where(where).order_by(WorkOrder.id, ascending=False).offset(offset).limit(limit)
    return listing([await ticket_view(request, r) for r in rows], await WorkOrder.count().where(where), fields)


@get("/troubleTicket/{ticket_id:str}", opt=READ, name="api:trouble_ticket", responses=errors())
async def get_ticket(
    request: Request, ticket_id: FromPath[str], fields: Fields = None
) -> Response[models.TroubleTicket]:
    pk = int(ticket_id) if ticket_id.isascii() and ticket_id.isdigit() and 0 < int(ticket_id) < 2**31 else None
    row = (
        await WorkOrder.select().where(await _where(api_caller(request).customer) & (WorkOrder.id == pk)).first()
        if pk
        else None
    )
    if row is None:
        raise ApiError(404, N_("No such resource."), "not_found")
    return one(await ticket_view(request, row), fields)


HANDLERS = [list_tickets, get_ticket]
