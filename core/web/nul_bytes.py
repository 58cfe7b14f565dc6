"""No NUL character reaches a handler: a 400 (query, form field) or 404 (path), for every route at once.

PostgreSQL's text type cannot hold NUL (the driver raises: a 500), SQLite cuts
strings at it and the file system refuses it; no person types one. Checked in
``before_request``, after routing, so the answer is the tenant's themed error page.
"""

from __future__ import annotations

from litestar import Request
from litestar.exceptions import ClientException, NotFoundException

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


async def refuse_nul(request: Request) -> None:
    query = request.scope.get("query_string", b"")
    if b"%00" in query or b"\x00" in query:
        raise ClientException()
    if any(isinstance(v, str) and "\x00" in v for v in request.path_params.values()):
        raise NotFoundException()
    if request.method in ("POST", "PUT", "PATCH") and request.headers.get("content-type", "").startswith(FORM_TYPES):
        form = await request.form()  # parsed once: Litestar keeps it for the handler
        if any(isinstance(v, str) and ("\x00" in v or "\x00" in k) for k, v in form.multi_items()):
            raise ClientException()
