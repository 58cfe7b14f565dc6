"""The customer's number holds through the public API: ``GET /phoneNumberHold`` (their holds, newest first),
``GET /phoneNumberHold/{id}`` and ``DELETE /phoneNumberHold/{id}``, the lines page's release (:func:`holds.release`,
told to the BSS). A hold that went into a placed order belongs to that order (it is kept while the order waits for
its payment, freed when the order is cancelled): deleting it is ``409``. Another customer's hold is ``404``."""

from __future__ import annotations

from litestar import Request, Response, delete, get
from litestar.params import FromPath
from msgspec import Struct, field

from core.api import N_
from core.api.tmf import ApiError, Fields, Limit, Offset, api_caller, errors, href, listing, money, one, when

from . import clock, holds
from .tables import HELD, INSTALLED, LIVE_STATES, ORDERED, NumberHold

NO_SUCH = N_("No such resource.")
IN_ORDER = N_("This number is held for an order already placed; cancel the order to let it go.")


class OrderRef(Struct):
    id: str
    href: str | None = None


class PhoneNumberHold(Struct, omit_defaults=True):
    id: str
    href: str | None = None
    type_: str | None = field(default=None, name="@type")
    number: str | None = None
    kind: str | None = None
    state: str | None = None
    expiryDate: str | None = None
    prepayment: dict | None = None
    minimumMonthlySpend: dict | None = None
    productOrder: OrderRef | None = None


def state_of(row: dict) -> str:
    """held, ordered, released, expired, installed; a live hold past its time is expired even before the sweep."""
    expires = row["expires_at"]
    if row["state"] in LIVE_STATES and expires is not None:
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=clock.now().tzinfo)
        if expires <= clock.now():
            return "expired"
    return row["state"]


def hold_view(request: Request, row: dict) -> dict:
    order = row["order_id"]
    return {
        "id": str(row["id"]),
        "href": href(request, "phoneNumberHold", row["id"]),
        "@type": "PhoneNumberHold",
        "number": row["number"],
        "kind": row["kind"],
        "state": state_of(row),
        "expiryDate": when(row["expires_at"]),
        "prepayment": money(row["prepay_fen"]),
        "minimumMonthlySpend": money(row["min_spend_fen"]),
        "productOrder": {"id": str(order), "href": href(request, "productOrder", order)} if order else None,
    }


def _account(request: Request) -> int:
    account_id = api_caller(request).customer
    if account_id is None:
        raise ApiError(403, N_("Only a customer's token reads this."), "no_customer")
    return account_id


async def _own(request: Request, hold_id: str) -> dict:
    pk = int(hold_id) if hold_id.isascii() and hold_id.isdigit() and 0 < int(hold_id) < 2**31 else None
    account_id = _account(request)
    row = (
        await NumberHold.select().where((NumberHold.id == pk) & (NumberHold.account_id == account_id)).first()
        if pk
        else None
    )
    if row is None:
        raise ApiError(404, NO_SUCH, "not_found")
    return row


@get("/phoneNumberHold", opt={"scope": "customer.read"}, name="phone:api.hold.list", responses=errors())
async def list_holds(
    request: Request, fields: Fields = None, offset: Offset = 0, limit: Limit = 20
) -> Response[list[PhoneNumberHold]]:
    """The customer's number holds, newest first (ended ones too, with their state)."""
    mine = NumberHold.account_id == _account(request)
    rows = await NumberHold.select().where(mine).order_by(NumberHold.id, ascending=False).offset(offset).limit(limit)
    return listing([hold_view(request, r) for r in rows], await NumberHold.count().where(mine), fields)


@get("/phoneNumberHold/{hold_id:str}", opt={"scope": "customer.read"}, name="phone:api.hold.get", responses=errors())
async def get_hold(request: Request, hold_id: FromPath[str], fields: Fields = None) -> Response[PhoneNumberHold]:
    """One of the customer's holds: ``held`` until ``expiryDate``; ``ordered`` once in an order (``productOrder``)."""
    return one(hold_view(request, await _own(request, hold_id)), fields)


@delete(
    "/phoneNumberHold/{hold_id:str}",
    opt={"scope": "customer.write"},
    name="phone:api.hold.delete",
    responses=errors(409),
    status_code=204,
)
async def release_hold(request: Request, hold_id: FromPath[str]) -> None:
    """Let the number go (204), as the page's release does; a hold already ended answers 204 again (a retry), one in
    a placed order ``409`` (code ``in_order``)."""
    row = await _own(request, hold_id)
    if row["state"] == HELD and await holds.release(row["account_id"], row["id"]):
        return None
    row = await NumberHold.select().where(NumberHold.id == row["id"]).first()  # it may have gone into an order
    if row["state"] in (ORDERED, INSTALLED):
        raise ApiError(409, IN_ORDER, "in_order")
    return None


HANDLERS = [list_holds, get_hold, release_hold]
