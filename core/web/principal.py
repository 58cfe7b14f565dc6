"""Load who is logged in from the session cookie (once per request, before the guard runs)."""

from __future__ import annotations

from http.cookies import SimpleCookie

from core.auth.sessions import COOKIE, load_session, touch_session
from core.auth.tables import Operator, OperatorRole, SuperAdmin
from core.db.scoping import all_tenants
from core.i18n import pick_language
from core.web.context import SCOPE_KEY, Principal

LANG_COOKIE = "hall_lang"


async def operator_permissions(operator_id: int) -> frozenset[str]:
    rows = await OperatorRole.select(OperatorRole.role.permissions).where(OperatorRole.operator == operator_id)
    perms: set[str] = set()
    for row in rows:
        perms.update(row["role.permissions"] or [])
    return frozenset(perms)


def _cookies(scope) -> dict[str, str]:
    raw = "; ".join(v.decode("latin-1") for k, v in scope["headers"] if k == b"cookie")
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:  # a malformed cookie header means "no cookies", not an error page
        return {}
    return {k: m.value for k, m in jar.items()}


async def load_principal(scope, hall) -> None:
    """Run before routing (guards need it): who is logged in, and in which language they read."""
    ri = scope[SCOPE_KEY]
    cookies = _cookies(scope)
    token = cookies.get(COOKIE)
    row = await load_session(token) if token else None
    if row is not None:
        principal = await _principal_for(row)
        if principal is not None:
            ri.principal = principal
            ri.session_token = token
            await touch_session(row, hall.deployment.security.session_days)
    choice = cookies.get(LANG_COOKIE) or (ri.principal.data.get("language") if ri.principal else None)
    ri.language = pick_language(choice, ri.tenant.language)


async def _principal_for(row: dict) -> Principal | None:
    kind, pid = row["kind"], row["principal_id"]
    data = row["data"] or {}
    if kind == "customer":
        # Name and language are copied into the session at log-in: one query per page, not two.
        return Principal(
            "customer", pid, data.get("name", ""), row["id"], data=dict(data)
        )  # a copy: the row may be cached
    if kind == "operator":
        op = await Operator.select(Operator.display_name, Operator.active).where(Operator.id == pid).first()
        if not op or not op["active"]:
            return None
        return Principal("operator", pid, op["display_name"], row["id"], await operator_permissions(pid), data)
    if kind == "super":
        with all_tenants():
            admin = (
                await SuperAdmin.select(SuperAdmin.display_name, SuperAdmin.active).where(SuperAdmin.id == pid).first()
            )
        if not admin or not admin["active"]:
            return None
        return Principal("super", pid, admin["display_name"], row["id"], frozenset(), data)
    return None
