"""The public hours page: /hours/."""

from __future__ import annotations

from litestar import Request, Response, get

from core.api.web import NamedDependency, render

from .services import hours_context
from .settings import HoursSettings


@get("/", name="hours:page", opt={"auth": "public"})
async def hours_page(request: Request, settings: NamedDependency[HoursSettings]) -> Response:
    return await render(request, "hours/page.html", hours_context(settings))


HANDLERS = [hours_page]
