"""The public API's ``POST /troubleTicket`` (TMF621): a customer's app opens a complaint or a consultation."""

from __future__ import annotations

from litestar import Request, Response, post
from msgspec import Struct

from core.api import N_
from core.api.tmf import ApiError, TroubleTicket, errors, one, ticket_view
from core.api.web import info
from core.api.workorders import Actor, InvalidData, WorkOrderError, get_order, open_order
from plugins.service import services
from plugins.service.settings import CATEGORIES
from plugins.service.workorder_types import COMPLAINT_CODE, CONSULTATION_CODE

TYPES = {"complaint": COMPLAINT_CODE, "consultation": CONSULTATION_CODE}


class NoteIn(Struct):
    text: str


class TroubleTicketCreate(Struct):
    """``description`` is the ticket's title, the first note its text; a complaint names a ``category``."""

    ticketType: str
    description: str
    note: list[NoteIn]
    category: str | None = None


@post("/troubleTicket", opt={"scope": "customer.write"}, name="service:api.ticket.create", responses=errors(409))
async def create_ticket(request: Request, data: TroubleTicketCreate) -> Response[TroubleTicket]:
    """Open a complaint (``ticketType`` complaint, with a ``category``) or a consultation."""
    code = TYPES.get(data.ticketType)
    if code is None:
        raise ApiError(400, N_("ticketType must be complaint or consultation."), "invalid")
    text = (data.note[0].text if data.note else "").strip()[:5000]
    values = {"text": text}
    if code == COMPLAINT_CODE:
        values["category"] = data.category if data.category in CATEGORIES else ""
    actor = Actor.from_principal(info(request).customer)
    try:
        if code == COMPLAINT_CODE:
            order = await services.open_complaint(
                request.app.state.hall,
                actor,
                values,
                title=data.description[:100],
                language=info(request).language,
                upload=None,
            )
        else:
            order = await open_order(
                request.app.state.hall,
                code,
                values,
                title=data.description[:100],
                actor=actor,
                language=info(request).language,
            )
    except InvalidData as exc:
        field = next(iter(exc.errors), "")
        raise ApiError(400, N_("A field is missing or not valid: %(field)s."), "invalid", field=field) from None
    except WorkOrderError as exc:
        raise ApiError(exc.status if exc.status < 500 else 409, exc.message, "refused", **exc.params) from None
    row = await get_order(order["id"], actor)
    return one(await ticket_view(request, row), status=201)


HANDLERS = [create_ticket]
