"""A self-service terminal's identity in its browser: the technician signs the terminal in once with its registered
kiosk client (client id and secret, as for the API's client credentials); the hall answers a signed, HttpOnly cookie
that binds the browser to that client. The cookie outlives every customer's session (the idle reset signs the customer
out, not the terminal) and ends with the client: revoked, or a new secret issued after the cookie was.

Every change made from a bound browser (a POST that succeeds: a sign-in, a payment, an order, a sign-out) is written to
the audit log as ``api.terminal.request`` with the terminal as actor, by :class:`TerminalAudit` (an ASGI middleware), so
what was done at which terminal can be read back; the console's API clients page shows each terminal's last one.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from litestar.datastructures import Cookie
from litestar.middleware import MiddlewareProtocol
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from core.audit import AuditLog, record
from core.i18n import N_
from core.tmf.tables import KIOSK, ApiClient
from core.web.forms import FieldErrors

COOKIE = "hall_terminal"
MAX_AGE = 5 * 365 * 24 * 3600  # a terminal stays signed in until its client's secret changes or it is revoked
ACTION = "api.terminal.request"
NOT_A_TERMINAL = N_("Unknown terminal or wrong secret.")


def _mac(secret: str, tenant_id: str, client_id: str, issued: int) -> str:
    return hmac.new(
        secret.encode(), f"terminal\0{tenant_id}\0{client_id}\0{issued}".encode(), hashlib.sha256
    ).hexdigest()


def cookie_value(secret: str, tenant_id: str, client_id: str, issued: int | None = None) -> str:
    issued = int(issued if issued is not None else time.time() * 1000)  # milliseconds: compared with rotated_at
    return f"{client_id}.{issued}.{_mac(secret, tenant_id, client_id, issued)}"


def cookie(value: str, *, secure: bool, path: str = "/") -> Cookie:
    return Cookie(key=COOKIE, value=value, max_age=MAX_AGE, httponly=True, samesite="lax", secure=secure, path=path)


async def terminal_of(secret: str, tenant_id: str, value: str | None) -> dict | None:
    """The kiosk client the cookie binds this browser to, while that client is active and its secret unchanged."""
    parts = (value or "").split(".")
    if len(parts) != 3 or not parts[1].isdigit() or len(parts[0]) > 40:
        return None
    client_id, issued, mac = parts[0], int(parts[1]), parts[2]
    if not hmac.compare_digest(mac, _mac(secret, tenant_id, client_id, issued)):
        return None
    client = await ApiClient.select().where((ApiClient.client_id == client_id) & (ApiClient.active == True)).first()  # noqa: E712
    if client is None or client["kind"] != KIOSK:
        return None
    if client["rotated_at"] is not None and client["rotated_at"].timestamp() * 1000 > issued:
        return None
    return client


async def sign_in(secret: str, tenant_id: str, client_id: str, client_secret: str, address: str) -> tuple[dict, str]:
    """Bind a browser to a kiosk client: (the client, the cookie's value); FieldErrors for anything else."""
    from core.tmf.oauth import client_by_id
    from core.tmf.tokens import same

    client = await client_by_id(client_id.strip())
    if client is None or client["kind"] != KIOSK or not same(secret, client_secret, client["secret_hash"]):
        problems = FieldErrors()
        problems.add("client_secret", NOT_A_TERMINAL)
        raise problems
    await record(
        actor=client["client_id"],
        actor_kind="terminal",
        action="api.terminal.sign_in",
        object_type="api_client",
        object_id=client["id"],
        address=address[:64],
        summary=client["name"],
    )
    return client, cookie_value(secret, tenant_id, client["client_id"])


async def last_actions(client_ids: list[str]) -> dict[str, object]:
    """When each terminal last changed something (the console's page)."""
    if not client_ids:
        return {}
    rows = await AuditLog.select(AuditLog.actor, AuditLog.at).where(
        AuditLog.actor.is_in(client_ids) & (AuditLog.actor_kind == "terminal")
    )
    last: dict[str, object] = {}
    for row in rows:
        if row["actor"] not in last or row["at"] > last[row["actor"]]:
            last[row["actor"]] = row["at"]
    return last


class TerminalAudit(MiddlewareProtocol):
    """Writes ``api.terminal.request`` for each successful non-GET request from a browser bound to a terminal."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS") or not _has_cookie(scope):
            await self.app(scope, receive, send)
            return
        status = {"code": 500}

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        await self.app(scope, receive, sending)
        if status["code"] < 400:
            await _note(scope)


def _has_cookie(scope: Scope) -> bool:
    return any(k == b"cookie" and COOKIE.encode() in v for k, v in scope.get("headers", []))


async def _note(scope: Scope) -> None:
    from litestar import Request

    from core.web.context import SCOPE_KEY

    ri = scope.get(SCOPE_KEY)  # type: ignore[call-overload]
    if ri is None:
        return
    request: Request = Request(scope)
    hall = scope["app"].state.hall
    client = await terminal_of(hall.secret, ri.tenant.id, request.cookies.get(COOKIE))
    if client is None:
        return
    handler = scope.get("route_handler")
    customer = ri.customer.id if ri.customer else ""
    await record(
        actor=client["client_id"],
        actor_kind="terminal",
        action=ACTION,
        object_type="route",
        object_id=(getattr(handler, "name", "") or scope["path"])[:64],
        address=(request.client.host if request.client else "")[:64],
        summary=f"customer {customer}" if customer else "",
    )
