"""The public hours page and the operators' view of the settings."""

from __future__ import annotations

from litestar import Request, Response, get

from core.api.web import info, render

from . import hours_context
from .settings import HoursSettings


@get("/", opt={"auth": "public"}, name="hours:page")
async def hours_page(request: Request) -> Response:
    return await render(request, "hours/page.html", hours_context(info(request).tenant))


@get("/console", opt={"auth": "operator", "permission": "hours.view"}, name="hours:console")
async def hours_console(request: Request) -> Response:
    settings = info(request).tenant.plugin_settings("hours")
    values = [(name, getattr(settings, name), field.default) for name, field in HoursSettings.model_fields.items()]
    return await render(request, "hours/console.html", {"values": values}, audience="operator")


HANDLERS = [hours_page, hours_console]
