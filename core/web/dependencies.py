"""What a handler may ask for by parameter name, through Litestar's dependency injection.

The request path rule (docs/architecture.md) keeps handlers to parse, authorise and render. The
request's context reaches them as typed parameters instead of each handler digging it out of the
scope::

    @get("/", opt={"auth": "public"})
    async def hours_page(request: Request, tenant: TenantDep, settings: NamedDependency[HoursSettings]) -> Response: ...

Litestar wants injected parameters marked (``NamedDependency[...]``); the aliases below are those marks.

``request_info``  the request's :class:`~core.web.context.RequestInfo` (tenant, base path, language, principal)
``tenant``        the request's :class:`~core.tenancy.Tenant`
``principal``     the signed-in customer or operator, or None
``hall``          the running :class:`~core.hall.Hall`
``settings``      the owning plugin's validated ``[plugins.<name>]`` settings for this tenant
``auditor``       the signed-in staff member as an :class:`~core.web.audit_helpers.Auditor`, for services that audit
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import NamedDependency, Provide

from core.tenancy import Tenant
from core.web.audit_helpers import Auditor, auditor_of
from core.web.context import Principal, RequestInfo, info

RequestInfoDep = NamedDependency[RequestInfo]
TenantDep = NamedDependency[Tenant]
PrincipalDep = NamedDependency[Principal | None]
HallDep = NamedDependency[Any]  # the Hall (typed Any: core.hall imports the web layer)
AuditorDep = NamedDependency[Auditor]

__all__ = [
    "AuditorDep",
    "HallDep",
    "NamedDependency",
    "PrincipalDep",
    "RequestInfoDep",
    "TenantDep",
    "request_dependencies",
]


def _request_info(request: Request) -> RequestInfo:
    return info(request)


def _tenant(request: Request) -> Any:
    return info(request).tenant


def _principal(request: Request) -> Any:
    return info(request).principal


def _hall(request: Request) -> Any:
    return request.app.state.hall


def _auditor(request: Request) -> Auditor:
    return auditor_of(request)


def _settings(request: Request) -> Any:
    """The settings of the plugin whose router serves this route (``opt["plugin"]``); None for core routes."""
    plugin = request.route_handler.opt.get("plugin")
    return info(request).tenant.plugin_settings(plugin) if plugin else None


def request_dependencies() -> dict[str, Provide]:
    """The app-wide providers; synchronous and cheap (they read what the hall put in the scope)."""
    return {
        "request_info": Provide(_request_info, sync_to_thread=False),
        "tenant": Provide(_tenant, sync_to_thread=False),
        "principal": Provide(_principal, sync_to_thread=False),
        "hall": Provide(_hall, sync_to_thread=False),
        "settings": Provide(_settings, sync_to_thread=False),
        "auditor": Provide(_auditor, sync_to_thread=False),
    }
