"""Home-page panels from the ``home_panels`` hook (and sections from similar hooks), ready to show."""

from __future__ import annotations

from litestar import Request
from markupsafe import Markup

from core.utils import await_me_maybe, flatten
from core.web.context import info
from core.web.render import base_context


async def panels_for(request: Request, audience: str) -> list:
    hall = request.app.state.hall
    ri = info(request)
    return await collect_panels(
        request,
        hall.hooks_for(ri.tenant).home_panels(hall=hall, tenant=ri.tenant, request=request, audience=audience),
        audience,
    )


async def collect_panels(request: Request, results, audience: str) -> list:
    """Panels from a hook's results: awaited, dropped without permission, sorted, each rendered into ``html``."""
    ri = info(request)
    panels = []
    for panel in flatten(results):
        panel = await await_me_maybe(panel)
        if panel is None or (panel.permission and not (ri.principal and ri.principal.can(panel.permission))):
            continue
        panels.append(panel)
    panels.sort(key=lambda p: p.order)
    if panels:  # render each panel with the page's context plus its own
        env = request.app.state.templates.env(ri.tenant, ri.language, audience)
        base = base_context(request, audience)
        for panel in panels:
            panel.html = Markup(env.get_template(panel.template).render({**base, **panel.context}))
    return panels
