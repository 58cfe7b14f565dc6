"""The operators' view of the settings: /hours/console (permission hours.view)."""

from __future__ import annotations

from litestar import Request, Response, get

from core.api.web import NamedDependency, render

from .services import settings_table
from .settings import HoursSettings


@get("/console", name="hours:console", opt={"auth": "operator", "permission": "hours.view"})
async def hours_console(request: Request, settings: NamedDependency[HoursSettings]) -> Response:
    return await render(request, "hours/console.html", {"values": settings_table(settings)}, audience="operator")


HANDLERS = [hours_console]
