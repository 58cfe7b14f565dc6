"""Error pages: themed, translated, never a stack trace. JSON callers get a JSON message."""

from __future__ import annotations

import logging

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, PermissionDeniedException, ValidationException
from litestar.response import Redirect

from core.i18n import N_
from core.web.context import SCOPE_KEY, info
from core.web.numbers import BadNumber
from core.web.urls import path_for, url_for

log = logging.getLogger("hall.web")

MESSAGES = {
    400: N_("The request could not be understood."),
    403: N_("You are not allowed to do that."),
    404: N_("The page you asked for does not exist."),
    405: N_("That action is not available here."),
    413: N_("What you sent is too large."),
    429: N_("Too many requests; please wait a moment."),
    500: N_("Something went wrong on our side. Please try again later."),
}
CSRF_MESSAGE = N_("Your form expired. Please go back, reload the page and try again.")


def is_console(request: Request) -> bool:
    """Console pages: the core's /console/… and plugins' operator pages (their handlers say auth=operator)."""
    path = request.url.path  # the tenant prefix is already stripped here
    handler = request.scope.get("route_handler")
    return path.startswith(path_for(request, "console:home")) or getattr(handler, "opt", {}).get("auth") in (
        "operator",
        "super",
    )


def wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def error_page(request: Request, status: int, detail: str | None = None, params: dict | None = None) -> Response:
    """``detail`` is a message id (``params`` fill its ``%(name)s``), translated here into the visitor's language."""
    from core.web.render import gettext, render_sync

    message = detail or MESSAGES.get(status, MESSAGES[500])
    params = params or {}
    if SCOPE_KEY not in request.scope:
        return Response(
            content={"status": status, "message": message % params if params else message}, status_code=status
        )
    _ = gettext(request)
    text = _(message) % params if params else _(message)
    if wants_json(request):
        return Response(content={"status": status, "message": text}, status_code=status, media_type=MediaType.JSON)
    try:
        audience = "operator" if is_console(request) else "customer"
        return render_sync(
            request,
            "errors/error.html",
            {"status": status, "message": message, "params": params},
            status=status,
            audience=audience,
        )
    except Exception:  # the error page itself must never fail
        log.exception("error page failed")
        return Response(content=text, status_code=status, media_type=MediaType.TEXT)


def http_exception_handler(request: Request, exc: Exception) -> Response:
    if isinstance(exc, NotAuthorizedException) and SCOPE_KEY in request.scope and not wants_json(request):
        login = "console:login" if is_console(request) else "auth:login"
        nxt = info(request).url(request.url.path) + (("?" + request.url.query) if request.url.query else "")
        return Redirect(path=url_for(request, login, query={"next": nxt}), status_code=303)
    status = getattr(exc, "status_code", 500)
    if status >= 500:  # an HTTPException of 5xx is still our failure: its traceback belongs in the log
        return internal_error_handler(request, exc, status)
    detail = None
    if isinstance(exc, BadNumber):
        return error_page(request, 400, exc.detail, exc.params)
    if isinstance(exc, PermissionDeniedException) and "csrf" in str(getattr(exc, "detail", "")).lower():
        detail = CSRF_MESSAGE
    elif isinstance(exc, ValidationException):
        status = 400
    return error_page(request, status, detail)


def internal_error_handler(request: Request, exc: Exception, status: int = 500) -> Response:
    """The last resort: the whole traceback to the log (every mode: tests, ``hall serve``, ``hall demo``), a themed page to the visitor."""
    tenant = request.scope[SCOPE_KEY].tenant.id if SCOPE_KEY in request.scope else "-"  # type: ignore[literal-required]
    log.error(
        "unhandled error on %s %s (tenant %s)",
        request.method,
        request.url.path,
        tenant,
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    return error_page(request, status)


EXCEPTION_HANDLERS = {
    HTTPException: http_exception_handler,
    500: internal_error_handler,
    Exception: internal_error_handler,
}
