"""The terminal sign-in page (``/kiosk/terminal``): a technician binds the terminal's browser to its registered kiosk
client once (core/tmf/terminal.py); the page then shows which terminal this browser is."""

from __future__ import annotations

from litestar import Request, Response, get, post

from core.tmf import terminal
from core.web.context import info
from core.web.forms import FieldErrors, Form
from core.web.render import hall_of, redirect_to, render

PUBLIC = {"auth": "public"}


async def _page(request: Request, form: Form | None = None, *, status: int = 200) -> Response:
    hall, ri = hall_of(request), info(request)
    bound = await terminal.terminal_of(hall.secret, ri.tenant.id, request.cookies.get(terminal.COOKIE))
    return await render(request, "tmf/terminal.html", {"bound": bound, "form": form or Form({})}, status=status)


@get("/kiosk/terminal", opt=PUBLIC, name="api:terminal", include_in_schema=False)
async def terminal_page(request: Request) -> Response:
    return await _page(request)


@post("/kiosk/terminal", opt=PUBLIC, name="api:terminal.sign_in", include_in_schema=False)
async def terminal_sign_in(request: Request) -> Response:
    form = await Form.from_request(request)
    hall, ri = hall_of(request), info(request)
    try:
        _, value = await terminal.sign_in(
            hall.secret,
            ri.tenant.id,
            form.value("client_id"),
            form.raw("client_secret"),
            request.client.host if request.client else "",
        )
    except FieldErrors as problems:
        form.take(problems)
        form.data.pop("client_secret", None)
        return await _page(request, form, status=400)
    response = redirect_to(request, "api:terminal")
    response.cookies.append(terminal.cookie(value, secure=hall.deployment.security.cookie_secure, path=ri.base or "/"))
    return response


PAGES = [terminal_page, terminal_sign_in]
