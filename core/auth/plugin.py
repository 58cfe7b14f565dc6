"""Identity and accounts, an always-on core plugin: customer sign-up, sign-in and reset, /account, console sign-in, operators and roles."""

from __future__ import annotations

from core.auth.permissions import Permission
from core.hookspecs import hookimpl
from core.i18n import N_
from core.web.menus import MenuItem

PERMISSIONS = [Permission("core.operators.manage", N_("Manage operators and roles"))]


@hookimpl
def register_routes(hall):
    from core.auth import routes_account, routes_console, routes_customer, routes_staff

    return [*routes_customer.HANDLERS, *routes_account.HANDLERS, *routes_console.HANDLERS, *routes_staff.HANDLERS]


@hookimpl
def register_permissions(hall):
    return PERMISSIONS


@hookimpl
def menu_items(hall, tenant, request, audience):
    if audience != "operator":
        return None
    return [
        MenuItem(N_("Operators"), route="console:operators", permission="core.operators.manage", order=920),
        MenuItem(N_("Roles"), route="console:roles", permission="core.operators.manage", order=930),
    ]
