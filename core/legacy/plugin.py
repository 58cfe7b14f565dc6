"""The legacy system, an always-on core plugin: the sync jobs and their console page, the outbox to the legacy system and its delivery job."""

from __future__ import annotations

from core.auth.permissions import Permission
from core.hookspecs import hookimpl
from core.i18n import N_
from core.web.menus import MenuItem

PERMISSIONS = [
    Permission("core.sync.manage", N_("See the legacy sync, retry quarantined rows and start a sync")),
    Permission("core.outbox.manage", N_("See the outbox to the legacy system and replay dead events")),
]


@hookimpl
def register_routes(hall):
    from core.legacy import routes_outbox, routes_sync

    return [*routes_outbox.HANDLERS, *routes_sync.HANDLERS]


@hookimpl
def register_jobs(hall):
    from core.jobs.spec import Job
    from core.legacy.outbox import deliver_due
    from core.legacy.sync_jobs import SYNC_JOBS

    return [Job("core.deliver_outbox", deliver_due, every_minutes=1), *SYNC_JOBS]


@hookimpl
def register_permissions(hall):
    return PERMISSIONS


@hookimpl
def menu_items(hall, tenant, request, audience):
    if audience != "operator":
        return None
    return [
        MenuItem(N_("Legacy outbox"), route="console:outbox", permission="core.outbox.manage", order=950),
        MenuItem(N_("Legacy sync"), route="console:sync", permission="core.sync.manage", order=955),
    ]
