"""The home page: the panels of the ``home_panels`` hook for customers and visitors."""

from __future__ import annotations

from litestar import Request, Response, get

from core.web.panels import panels_for
from core.web.render import render

PUBLIC = {"auth": "public"}


@get("/", opt=PUBLIC, name="site:home")
async def home(request: Request) -> Response:
    return await render(request, "home.html", {"panels": await panels_for(request, "customer")})


HANDLERS = [home]
