"""Who calls the API: the bearer token checked on every request (hashed look-up in the current tenant only, so a
token of one tenant finds nothing in another), the route's scope, the client's rate limit (the core's throttles,
kept in the database), and TM Forum's error body for every refusal."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.exceptions import HTTPException, ValidationException
from litestar.handlers import BaseRouteHandler

from core.auth.throttle import Rule, reserve
from core.i18n import N_
from core.tmf import tokens
from core.tmf.tables import ApiClient, ApiToken
from core.web.context import SCOPE_KEY, Principal

CALLER_KEY = "hall.api_caller"
REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Payload Too Large",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    503: "Service Unavailable",
}


class ApiError(Exception):
    """A refusal in TM Forum's shape: ``message`` is a message id (``params`` fill it), translated when answered."""

    def __init__(self, status: int, message: str, code: str = "", **params):
        super().__init__(message)
        self.status, self.message, self.code, self.params = status, message, code or str(status), params


@dataclass(frozen=True)
class ApiCaller:
    """The client behind a request and, for an app's token, the signed-in customer (CustomerAccount id)."""

    client_pk: int
    client_id: str
    kind: str
    scopes: frozenset[str] = field(default_factory=frozenset)
    customer: int | None = None


def api_caller(request: Request) -> ApiCaller:
    return request.scope[CALLER_KEY]  # type: ignore[literal-required]


def error_body(request: Request, status: int, message: str, code: str = "", params: dict | None = None) -> Response:
    from core.web.render import gettext

    _ = gettext(request) if SCOPE_KEY in request.scope else (lambda m: m)
    text = _(message) % params if params else _(message)
    body = {"code": code or str(status), "reason": REASONS.get(status, "Error"), "message": text, "status": str(status)}
    headers = {"WWW-Authenticate": 'Bearer realm="hall"'} if status == 401 else {}
    return Response(content=body, status_code=status, media_type="application/json", headers=headers)


def on_api_error(request: Request, exc: ApiError) -> Response:
    response = error_body(request, exc.status, exc.message, exc.code, exc.params)
    if exc.status == 429 and exc.params.get("retry"):
        response.headers["Retry-After"] = str(exc.params["retry"])
    return response


def on_http_error(request: Request, exc: HTTPException) -> Response:
    status = exc.status_code if exc.status_code < 500 else 400
    if isinstance(exc, ValidationException):
        return error_body(request, 400, N_("A parameter is missing or not valid."), "invalid")
    return error_body(
        request,
        status,
        {404: N_("No such resource."), 405: N_("That action is not available here.")}.get(
            status, N_("The request could not be understood.")
        ),
    )


EXCEPTION_HANDLERS = {ApiError: on_api_error, HTTPException: on_http_error}


def _bearer(connection: ASGIConnection) -> str:
    header = connection.headers.get("authorization", "")
    kind, _, value = header.partition(" ")
    return value.strip() if kind.lower() == "bearer" else ""


async def api_guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """Every API route: a live token of this tenant, the route's scope, the client's rate."""
    opt = handler.opt
    if opt.get("api") == "public":
        return
    value = _bearer(connection)
    if not value or len(value) > 100:
        raise ApiError(401, N_("Sign in first: send an access token (Authorization: Bearer …)."), "unauthorized")
    hall = connection.app.state.hall
    row = (
        await ApiToken.select()
        .where((ApiToken.token_hash == tokens.keyed_hash(hall.secret, value)) & (ApiToken.kind == "access"))
        .first()
    )
    if row is None or row["revoked_at"] is not None or row["expires_at"] < tokens.now():
        raise ApiError(401, N_("The access token is unknown, expired or revoked."), "invalid_token")
    client = (
        await ApiClient.select(ApiClient.client_id, ApiClient.kind, ApiClient.active, ApiClient.rate_per_minute)
        .where(ApiClient.id == row["client"])
        .first()
    )
    if client is None or not client["active"]:
        raise ApiError(401, N_("The access token is unknown, expired or revoked."), "invalid_token")
    caller = ApiCaller(
        row["client"], client["client_id"], client["kind"], frozenset(tokens.as_list(row["scopes"])), row["customer"]
    )
    wanted = opt.get("scope")
    if wanted and wanted not in caller.scopes:
        raise ApiError(403, N_("This token does not have the scope %(scope)s."), "insufficient_scope", scope=wanted)
    if opt.get("customer", wanted in ("customer.read", "customer.write")) and caller.customer is None:
        raise ApiError(403, N_("Only a customer's token reads this."), "no_customer")
    rate = await reserve(Rule(f"api:client:{row['client']}", dt.timedelta(minutes=1), limit=client["rate_per_minute"]))
    if not rate.ok:
        wait = max(1, int((rate.retry_at - tokens.now()).total_seconds())) if rate.retry_at else 60
        raise ApiError(429, N_("Too many requests; please wait a moment."), "rate_limited", retry=wait)
    connection.scope[CALLER_KEY] = caller  # type: ignore[literal-required]
    if caller.customer is not None:
        _as_customer(connection, caller.customer)


def _as_customer(connection: ASGIConnection, account_id: int) -> None:
    """The request acts as the token's customer (never the browser's session): core helpers that read the principal
    (the customer's legacy id, their numbers) answer for them."""
    ri = connection.scope[SCOPE_KEY]  # type: ignore[literal-required]
    ri.principal = Principal("customer", account_id, "", 0, data={})
    ri.session_token = None
