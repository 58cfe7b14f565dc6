"""Long-distance and international on/off through the public API, as a TMF641 ``serviceOrder``: one ``modify`` item
on the line (``service.id`` is the number) with one characteristic, ``longDistance`` or ``international``, ``on`` or
``off``. It is the lines page's request (:func:`features.request`, the outbox to the BSS): ``inProgress`` until the
BSS's line shows it, then ``completed`` (``cancelled`` once a newer one replaced it). Why not a TMF622 productOrder:
docs/api.md ("Product orders")."""

from __future__ import annotations

from typing import Annotated

from litestar import Request, Response, get, post
from litestar.params import FromPath, Parameter
from msgspec import Struct, field

from core.api import N_
from core.api.identity import linked_numbers
from core.api.tmf import ApiError, Fields, Limit, Offset, api_caller, errors, href, listing, one, when
from core.api.web import info

from . import features, install

NAMES = {"longDistance": "long_distance", "international": "international"}
STATES = {"pending": "inProgress", "confirmed": "completed", "replaced": "cancelled"}


class Characteristic(Struct):
    name: str
    value: str | bool | None = None


class ServiceRef(Struct):
    id: str
    serviceCharacteristic: list[Characteristic] = []


class ItemIn(Struct):
    action: str
    service: ServiceRef


class ServiceOrderCreate(Struct):
    serviceOrderItem: list[ItemIn]
    externalId: str | None = None


class ServiceOut(Struct):
    id: str
    serviceCharacteristic: list[Characteristic]


class ItemOut(Struct):
    id: str
    action: str
    state: str
    service: ServiceOut


class ServiceOrder(Struct, omit_defaults=True):
    id: str
    href: str | None = None
    type_: str | None = field(default=None, name="@type")
    externalId: str | None = None
    state: str | None = None
    orderDate: str | None = None
    completionDate: str | None = None
    serviceOrderItem: list[ItemOut] = []


def _view(request: Request, row: dict) -> dict:
    name = next(k for k, v in NAMES.items() if v == row["feature"])
    state = STATES.get(row["state"], row["state"])
    service = {
        "id": row["number"],
        "serviceCharacteristic": [{"name": name, "value": "on" if row["wanted"] else "off"}],
    }
    return {
        "id": str(row["id"]),
        "href": href(request, "serviceOrder", row["id"]),
        "@type": "ServiceOrder",
        "externalId": row["external_id"],
        "state": state,
        "orderDate": when(row["created_at"]),
        "completionDate": when(row["confirmed_at"]),
        "serviceOrderItem": [{"id": "1", "action": "modify", "state": state, "service": service}],
    }


def _switch(data: ServiceOrderCreate) -> tuple[str, str, bool]:
    """(number, feature, wanted) of the one item, or a 400 saying what is wrong."""
    items = data.serviceOrderItem
    if len(items) != 1 or items[0].action != "modify" or len(items[0].service.serviceCharacteristic) != 1:
        raise ApiError(400, N_("A service order has one modify item with one serviceCharacteristic."), "invalid")
    c = items[0].service.serviceCharacteristic[0]
    value = ("on" if c.value else "off") if isinstance(c.value, bool) else c.value
    if c.name not in NAMES or value not in ("on", "off"):
        raise ApiError(
            400, N_("serviceCharacteristic: longDistance or international, on or off."), "invalid_characteristic"
        )
    return items[0].service.id, NAMES[c.name], value == "on"


@post("/serviceOrder", opt={"scope": "customer.write"}, name="phone:api.service_order.create", responses=errors(409))
async def create_service_order(request: Request, data: ServiceOrderCreate) -> Response[ServiceOrder]:
    """Switch long distance or international calls on or off on one of the customer's lines (201, ``inProgress``);
    the same ``externalId`` again answers the request already made and sends nothing twice."""
    number, feature, wanted = _switch(data)
    account_id = api_caller(request).customer
    hall, tenant = request.app.state.hall, info(request).tenant
    if account_id is None or number not in await linked_numbers(account_id):
        raise ApiError(404, N_("No such resource."), "not_found")
    customer = await install.customer_of(account_id)
    if features.lines_of(hall, tenant) is None or customer is None:
        raise ApiError(409, N_("This kind of order cannot be placed here."), "not_offered")
    external = (data.externalId or "")[:64] or None
    row = await features.request(account_id, customer.legacy_id, number, feature, wanted, external)
    return one(_view(request, row), status=201)


@get("/serviceOrder", opt={"scope": "customer.read"}, name="phone:api.service_order.list", responses=errors())
async def list_service_orders(
    request: Request,
    fields: Fields = None,
    offset: Offset = 0,
    limit: Limit = 20,
    wanted_state: Annotated[str | None, Parameter(query="state", max_length=20, required=False)] = None,
    external_id: Annotated[str | None, Parameter(query="externalId", max_length=64, required=False)] = None,
) -> Response[list[ServiceOrder]]:
    """The customer's service orders, newest first; ``state`` (inProgress, completed, cancelled) and ``externalId``
    filter."""
    account_id = api_caller(request).customer
    if account_id is None:
        raise ApiError(403, N_("Only a customer's token reads this."), "no_customer")
    stored = next((k for k, v in STATES.items() if v == wanted_state), "-") if wanted_state else None
    rows, total = await features.requests_of(
        request.app.state.hall, info(request).tenant, account_id, offset, limit, stored, external_id
    )
    return listing([_view(request, r) for r in rows], total, fields)


@get("/serviceOrder/{order_id:str}", opt={"scope": "customer.read"}, name="phone:api.service_order", responses=errors())
async def get_service_order(request: Request, order_id: FromPath[str], fields: Fields = None) -> Response[ServiceOrder]:
    """The request's state: ``inProgress`` until the BSS's line shows it, then ``completed``; ``cancelled`` when a
    newer request for the same number and feature replaced it."""
    pk = int(order_id) if order_id.isascii() and order_id.isdigit() and 0 < int(order_id) < 2**31 else None
    account_id = api_caller(request).customer
    row = None
    if pk is not None and account_id is not None:
        row = await features.request_of(request.app.state.hall, info(request).tenant, account_id, pk)
    if row is None:
        raise ApiError(404, N_("No such resource."), "not_found")
    return one(_view(request, row), fields)


HANDLERS = [create_service_order, list_service_orders, get_service_order]
