"""Self-service terminals (kiosk clients): ``POST /kiosk/heartbeat`` says the terminal is alive and how it is (paper,
card reader, ...); operators see the last one per terminal on the console's API clients page."""

from __future__ import annotations

from litestar import Request, Response, post
from msgspec import Struct

from core.tmf import clients
from core.tmf.caller import api_caller
from core.tmf.errors_spec import errors
from core.tmf.shape import one, when
from core.tmf.tokens import now


class HeartbeatIn(Struct):
    status: str = "ok"


class Heartbeat(Struct):
    id: str
    status: str
    lastSeen: str


@post("/kiosk/heartbeat", opt={"scope": "kiosk"}, name="api:kiosk.heartbeat", status_code=200, responses=errors())
async def heartbeat(request: Request, data: HeartbeatIn) -> Response[Heartbeat]:
    caller = api_caller(request)
    await clients.heartbeat(caller.client_pk, data.status)
    return one({"id": caller.client_id, "status": data.status[:200], "lastSeen": when(now())}, status=200)


HANDLERS = [heartbeat]
