"""TMF630 hub: ``POST /hub`` registers a listener (callback, query), ``GET /hub`` lists the client's with their
dead letters, ``DELETE /hub/{id}`` removes one, ``POST /hub/{id}/replay`` sends its dead letters again."""

from __future__ import annotations

from urllib.parse import urlsplit

from litestar import Request, Response, delete, get, post
from litestar.params import FromPath
from msgspec import Struct

from core.i18n import N_
from core.tmf import hub
from core.tmf.caller import ApiError, api_caller
from core.tmf.errors_spec import errors
from core.tmf.shape import href, listing, one, when
from core.tmf.tables import ApiDelivery, ApiListener
from core.tenancy import require_tenant
from core.web.render import hall_of

EVENTS = {"scope": "events"}


class HubIn(Struct):
    callback: str
    query: str | None = None


class Hub(Struct, omit_defaults=True):
    id: str
    callback: str
    query: str | None = None
    href: str | None = None
    signingKey: str | None = None
    deadLetter: list[dict] | None = None


def _view(request: Request, row: dict, dead: list[dict] | None = None, key: str | None = None) -> dict:
    return {
        "id": str(row["id"]),
        "href": href(request, "hub", row["id"]),
        "callback": row["callback"],
        "query": row["query"] or None,
        "signingKey": key,
        "deadLetter": dead,
    }


@post("/hub", opt=EVENTS, name="api:hub.create", responses=errors())
async def register(request: Request, data: HubIn) -> Response[Hub]:
    """A listener for this client; the answer's ``signingKey`` checks each event's X-Hall-Signature."""
    parts = urlsplit(data.callback)
    if parts.scheme not in ("https", "http") or not parts.netloc or len(data.callback) > 500:
        raise ApiError(400, N_("callback must be an http(s) address."), "invalid")
    caller = api_caller(request)
    row = await hub.add_listener(caller.client_pk, data.callback, data.query or "")
    key = hub.signing_key(hall_of(request).secret, require_tenant().id, row["id"])
    return one(_view(request, row, key=key), status=201)


async def _mine(request: Request, listener_id: str) -> dict:
    pk = int(listener_id) if listener_id.isascii() and listener_id.isdigit() and 0 < int(listener_id) < 2**31 else 0
    row = (
        await ApiListener.select()
        .where(
            (ApiListener.id == pk) & (ApiListener.client == api_caller(request).client_pk) & ApiListener.active.eq(True)
        )
        .first()
    )
    if row is None:
        raise ApiError(404, N_("No such resource."), "not_found")
    return row


@get("/hub", opt=EVENTS, name="api:hub.list", responses=errors())
async def list_hubs(request: Request) -> Response[list[Hub]]:
    """The client's listeners, each with its dead letters (events given up on)."""
    rows = (
        await ApiListener.select()
        .where((ApiListener.client == api_caller(request).client_pk) & ApiListener.active.eq(True))
        .order_by(ApiListener.id)
    )
    out = []
    for row in rows:
        dead = (
            await ApiDelivery.select(
                ApiDelivery.kind, ApiDelivery.last_error, ApiDelivery.created_at, ApiDelivery.attempts
            )
            .where((ApiDelivery.listener == row["id"]) & (ApiDelivery.status == "dead"))
            .order_by(ApiDelivery.id)
            .limit(100)
        )
        out.append(
            _view(
                request,
                row,
                [
                    {
                        "eventType": d["kind"],
                        "error": d["last_error"],
                        "eventTime": when(d["created_at"]),
                        "attempts": d["attempts"],
                    }
                    for d in dead
                ],
            )
        )
    return listing(out, len(out), None)


@delete("/hub/{listener_id:str}", opt=EVENTS, name="api:hub.delete", status_code=204, responses=errors())
async def remove(request: Request, listener_id: FromPath[str]) -> None:
    row = await _mine(request, listener_id)
    await hub.remove_listener(row["id"])


@post("/hub/{listener_id:str}/replay", opt=EVENTS, name="api:hub.replay", status_code=200, responses=errors())
async def replay(request: Request, listener_id: FromPath[str]) -> Response[Hub]:
    """The listener's dead letters are sent again."""
    row = await _mine(request, listener_id)
    await hub.replay(row["id"])
    return one(_view(request, row), status=200)


HANDLERS = [register, list_hubs, remove, replay]
