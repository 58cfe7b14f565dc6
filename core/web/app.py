"""Build the Litestar application for a Hall.

The outer ``HallApp.__call__`` resolves the tenant (``/t/<id>/`` prefix or Host
header) before Litestar routes the request, strips the prefix, and sets the
current tenant for the whole request; an unknown host gets a plain 404 page.
"""

from __future__ import annotations

import logging

from litestar import Litestar, Router
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.types import Receive, Scope, Send

from core.hall import Hall
from core.jobs import make_runner
from core.plugins import is_always_on
from core.privacy import MaskingFilter
from core.tenancy import set_request_tenant, _current
from core.tmf.router import api_router
from core.tmf.terminal import TerminalAudit
from core.utils import await_each
from core.web.client import scope_is_https
from core.web.context import SCOPE_KEY, RequestInfo
from core.web.dependencies import request_dependencies
from core.web.errors import EXCEPTION_HANDLERS
from core.web.guards import hall_guard
from core.web.nul_bytes import refuse_nul
from core.web.openapi import openapi_config
from core.web.pagecache import PageCache
from core.web import public_pages
from core.web.principal import load_principal
from core.web.security_headers import NONCE_KEY, content_security_policy, form_origins, new_nonce, secure_send
from core.web.templating import hall_templates
from core.web.unknown_tenant import unknown_tenant_response

CSRF_COOKIE = "hall_csrf"
STATIC_SUFFIXES = (".css", ".js", ".png", ".svg", ".ico", ".woff2", "/brand/logo")


class HallApp(Litestar):
    """Litestar with tenant resolution in front of routing."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:  # type: ignore[override]
        if scope["type"] not in ("http", "websocket"):
            await super().__call__(scope, receive, send)
            return
        hall: Hall = self.state.hall
        path = scope["path"]
        tenant, rest = hall.tenants.split_prefix(path)
        base = ""
        if tenant is not None:
            base = "/t/" + tenant.id
        elif path != "/healthz":
            host = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"host"), None)
            tenant = hall.tenants.for_host(host)
        nonce = scope[NONCE_KEY] = new_nonce()  # type: ignore[literal-required]
        send = secure_send(
            send,
            csp=content_security_policy(nonce, form_origins(hall, tenant) if tenant else ()),
            https=scope_is_https(scope, hall),
            hsts_seconds=hall.deployment.security.hsts_seconds,
        )
        if path == "/healthz":
            await super().__call__(scope, receive, send)
            return
        if base:
            scope["path"] = rest
            scope["raw_path"] = rest.encode()
        if tenant is None:
            await unknown_tenant_response(hall, scope, receive, send)
            return
        scope[SCOPE_KEY] = RequestInfo(tenant=tenant, base=base, language=tenant.language)  # type: ignore[literal-required]
        token = set_request_tenant(tenant)
        try:
            if not path.endswith(STATIC_SUFFIXES):
                pages: PageCache | None = self.state.get("page_cache")
                if pages is not None and scope["type"] == "http" and scope["method"] == "GET":
                    if await pages.serve(scope, tenant, base, send):  # a stored page, still current: done
                        return
                    send = pages.capture(scope, send)
                await load_principal(scope, hall)
            await super().__call__(scope, receive, send)
        finally:
            _current.reset(token)


def plugin_routers(hall: Hall) -> list:
    """Each plugin's routes under ``/<plugin>``, reachable only where a tenant enables it; the core's always-on
    plugins' routes as they are (``/pay/...``, ``/console/...``), for every tenant.

    A plugin's route names must start with ``"<plugin>:"``, so names never collide."""
    routes: list = []
    for name, handlers in sorted(hall.plugins.per_plugin("register_routes", hall=hall).items()):
        if is_always_on(name):
            routes += handlers
            continue
        misnamed = [h.name for h in handlers if h.name and not h.name.startswith(name + ":")]
        if misnamed:
            raise ValueError(f"plugin {name!r}: route names must start with {name + ':'!r}, not {misnamed}")
        routes.append(Router(path=f"/{name}", route_handlers=list(handlers), opt={"plugin": name}))
    return routes


def create_app(hall: Hall, *, debug: bool = False) -> HallApp:
    logging.getLogger().addFilter(MaskingFilter())
    hall.state.pop("core.route_templates", None)  # core.web.urls reads the handlers this app mounts afresh
    templates = hall_templates(hall)

    async def on_startup(app: Litestar) -> None:
        await hall.db.connect()
        runner = make_runner(
            hall, job_log_level=logging.DEBUG
        )  # a web process's routine job lines stay out of the terminal
        await runner.start(schedule=hall.db.is_sqlite and hall.deployment.jobs.schedule_in_web)
        app.state.jobs = hall.jobs = runner
        await await_each(hall.plugins.hook.hall_startup(hall=hall))

    async def on_shutdown(app: Litestar) -> None:
        await await_each(hall.plugins.hook.hall_shutdown(hall=hall))
        await app.state.jobs.stop()
        for connector in hall.connectors.values():
            try:
                await connector.close()
            except Exception:  # pragma: no cover - best effort on shutdown
                pass
        await hall.db.disconnect()

    security = hall.deployment.security
    app = HallApp(
        route_handlers=[*public_pages.HANDLERS, *plugin_routers(hall), api_router(hall)],
        guards=[hall_guard],
        dependencies=request_dependencies(),
        before_request=refuse_nul,
        middleware=[
            TerminalAudit
        ],  # what a self-service terminal's browser changed, in the audit (core/tmf/terminal.py)
        openapi_config=openapi_config(),
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        csrf_config=CSRFConfig(
            secret=hall.secret,
            cookie_name=CSRF_COOKIE,
            cookie_secure=security.cookie_secure,
            cookie_samesite="lax",
            exclude_from_csrf_key="exclude_from_csrf",
        ),
        on_startup=[on_startup],
        on_shutdown=[on_shutdown],
        state=State({"hall": hall, "templates": templates}),
        debug=debug,
        # The hall configures logging itself (granian in production). Litestar's default starts a
        # QueueListener per lifespan, and two lifespans of one app (two test clients) deadlock on stop.
        logging_config=None,
        request_max_body_size=2 * 1024 * 1024,
    )
    server = hall.deployment.server
    if server.page_cache_mb > 0:
        app.state["page_cache"] = PageCache(
            app,
            max_bytes=server.page_cache_mb * 1024 * 1024,
            seconds=server.page_cache_seconds,
            session_days=security.session_days,
        )
    return app


def app_from_environment() -> HallApp:
    """Factory for ASGI servers (granian ``core.web.app:app_from_environment --factory``): reads HALL_CONFIG."""
    from core.logs import configure_logging

    configure_logging()  # each worker process: tracebacks of 500s to stderr (``hall serve``, ``hall demo``)
    return create_app(Hall.from_config())
