"""Render a page through the tenant's template chain with the context every page needs."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.enums import MediaType
from litestar.response import Redirect
from litestar.utils.scope.state import ScopeState

from core.i18n import LANGUAGE_NAMES, LANGUAGES
from core.utils import await_me_maybe, flatten
from core.web.context import info
from core.web.menus import MenuItem, menu_tree
from core.web.security_headers import NONCE_KEY
from core.web.urls import template_url, url_for


def hall_of(request: Request):
    return request.app.state.hall


def templates_of(request: Request):
    return request.app.state.templates


def csrf_token(request: Request) -> str:
    return ScopeState.from_scope(request.scope).csrf_token or ""


def menu(request: Request, audience: str) -> list[MenuItem]:
    hall = hall_of(request)
    ri = info(request)
    items = flatten(
        hall.hooks_for(ri.tenant).menu_items(hall=hall, tenant=ri.tenant, request=request, audience=audience)
    )
    principal = ri.principal
    visible = [
        i.resolved(request)
        for i in items
        if i.permission is None or (principal is not None and principal.can(i.permission))
    ]
    return sorted(visible, key=lambda i: (i.order, i.href))


def base_context(request: Request, audience: str) -> dict[str, Any]:
    ri = info(request)
    ctx: dict[str, Any] = {
        "request": request,
        "info": ri,
        "brand": ri.tenant.brand,
        "tenant_name": ri.tenant.display_name(ri.language),
        "lang": ri.language,
        "html_lang": ri.language.replace("_", "-"),
        "languages": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        "principal": ri.principal,
        "customer": ri.customer,
        "staff": ri.staff,
        "csrf_token": csrf_token(request),
        "url": template_url(request),
        "static": lambda path: ri.url("/static/" + path.lstrip("/")),
        "audience": audience,
        "menu": (links := menu(request, audience)),
        "menu_tree": menu_tree(links),
        "current_path": ri.url(request.url.path),
        "csp_nonce": request.scope.get(NONCE_KEY, ""),
    }
    return ctx


async def page_context(request: Request, template: str, audience: str) -> dict[str, Any]:
    hall = hall_of(request)
    ri = info(request)
    ctx = base_context(request, audience)
    for extra in hall.hooks_for(ri.tenant).extra_template_vars(
        hall=hall, tenant=ri.tenant, request=request, template=template
    ):
        extra = await await_me_maybe(extra)
        if extra:
            ctx.update(extra)
    return ctx


async def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
    audience: str = "customer",
) -> Response:
    ri = info(request)
    env = templates_of(request).env(ri.tenant, ri.language, audience)
    ctx = await page_context(request, template, audience)
    if context:
        ctx.update(context)
    html = (
        await env.get_template(template).render_async(ctx) if env.is_async else env.get_template(template).render(ctx)
    )
    return Response(content=html, media_type=MediaType.HTML, status_code=status, headers={"Cache-Control": "no-store"})


def render_sync(
    request: Request, template: str, context: dict[str, Any], *, status: int, audience: str = "customer"
) -> Response:
    """For exception handlers (Litestar calls them synchronously): no async template hooks."""
    ri = info(request)
    env = templates_of(request).env(ri.tenant, ri.language, audience)
    html = env.get_template(template).render({**base_context(request, audience), **context})
    return Response(content=html, media_type=MediaType.HTML, status_code=status, headers={"Cache-Control": "no-store"})


def redirect(request: Request, path: str, status: int = 303) -> Redirect:
    """Redirect to a path inside the tenant (adds the /t/<id> prefix): for a target already checked, like ``next=``."""
    return Redirect(path=info(request).url(path), status_code=status)


def redirect_to(
    request: Request, name: str, *, query: dict | None = None, status: int = 303, **path_params
) -> Redirect:
    """Redirect to the route ``name`` (see ``core.web.urls.url_for``), e.g. ``redirect_to(request, "console:role", role_id=3)``."""
    return Redirect(path=url_for(request, name, query=query, **path_params), status_code=status)


def gettext(request: Request):
    return templates_of(request).gettext(info(request).language)
