"""One guard on every route: plugin enabled for this tenant (else 404), then who may call it.

Handlers say who may call them with ``opt={"auth": ...}``: ``public``,
``customer`` (the default: secure unless said otherwise), ``operator`` (with an
optional ``permission``) or ``super``. Plugin routes carry ``opt["plugin"]``, set
by the core when it mounts them. A ``{x:int}`` path parameter outside 1..2**31-1
is a 404 here, for every route at once.
"""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.handlers import BaseRouteHandler

from core.web.context import SCOPE_KEY, info
from core.web.numbers import path_ints_in_range


async def hall_guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    # async on purpose: Litestar runs sync guards in a thread pool, a thread hop per request
    opt = handler.opt
    if not path_ints_in_range(
        connection.path_params
    ):  # /notices/99999999999999999999: no such row, not a database error
        raise NotFoundException()
    if SCOPE_KEY not in connection.scope:  # tenant-less paths (/healthz): public handlers only
        if opt.get("auth") == "public":
            return
        raise NotFoundException()
    ri = info(connection)
    plugin = opt.get("plugin")
    if plugin and not ri.tenant.enables(plugin):
        raise NotFoundException()
    auth = opt.get("auth", "customer")
    if auth == "public":
        return
    if auth == "customer":
        if ri.customer is None:
            raise NotAuthorizedException()
        return
    if auth in ("operator", "super"):
        staff = ri.staff
        if staff is None:
            raise NotAuthorizedException(extra={"area": "console"})
        if auth == "super" and staff.kind != "super":
            raise PermissionDeniedException()
        if not staff.can(opt.get("permission")):
            raise PermissionDeniedException()
        return
    raise PermissionDeniedException()  # an unknown auth value is a programming error: fail closed
