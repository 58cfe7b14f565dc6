"""Operators and roles of a tenant: the checks, the writes, the audit entries and the ended sessions behind the console's staff pages.

The pages (``routes_staff.py``) parse and render; everything that decides or writes is here
(docs/architecture.md, "The request path").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from core.auth.passwords import hash_password, password_problem
from core.auth.permissions import known_codes
from core.auth.sessions import end_sessions_of
from core.auth.tables import Operator, OperatorRole, Role
from core.db import transaction
from core.i18n import N_
from core.web.audit_helpers import Auditor
from core.web.forms import FieldErrors


@dataclass(frozen=True)
class OperatorChange:
    """What the operator form asks for. An empty ``password`` keeps the current one (a new operator needs one)."""

    username: str
    display_name: str
    department: str = ""
    active: bool = True
    password: str = ""
    roles: list[str] = field(default_factory=list)


async def role_names(operator_id: int) -> list[str]:
    rows = await OperatorRole.select(OperatorRole.role.name).where(OperatorRole.operator == operator_id)
    return sorted(r["role.name"] for r in rows)


async def operator_snapshot(operator_id: int) -> dict | None:
    """The operator as the audit log and the form see it (roles included); None when the tenant has no such operator."""
    op = (
        await Operator.select(Operator.username, Operator.display_name, Operator.department, Operator.active)
        .where(Operator.id == operator_id)
        .first()
    )
    return None if op is None else {**op, "roles": await role_names(operator_id)}


async def operators() -> list[dict]:
    """Every operator of the tenant by user name, with their role names."""
    ops = await Operator.select(
        Operator.id,
        Operator.username,
        Operator.display_name,
        Operator.department,
        Operator.active,
        Operator.last_login_at,
    ).order_by(Operator.username)
    for op in ops:
        op["roles"] = await role_names(op["id"])
    return ops


async def save_operator(auditor: Auditor, operator_id: int | None, change: OperatorChange) -> int:
    """Create (``operator_id`` None) or update an operator with their roles, audited in the same transaction.

    Raises :class:`FieldErrors` (nothing written) for a missing field, a weak password, a taken user name or an
    unknown role. Deactivating an operator or setting a password ends their sessions. Returns the operator's id.
    """
    problems = FieldErrors()
    problems.require(username=change.username, display_name=change.display_name)
    if operator_id is None or change.password:
        problem = password_problem(change.password) if change.password else N_("This field is required.")
        if problem:
            problems.add("password", problem)
    clash = await Operator.select(Operator.id).where(Operator.username == change.username).first()
    if clash and clash["id"] != operator_id:
        problems.add("username", N_("This user name is taken."))
    roles = {r["name"]: r["id"] for r in await Role.select(Role.id, Role.name)}
    if any(c not in roles for c in change.roles):
        problems.add("roles", N_("Unknown role."))
    problems.raise_if_any()
    before = await operator_snapshot(operator_id) if operator_id else {}
    values = {
        Operator.username: change.username,
        Operator.display_name: change.display_name,
        Operator.department: change.department,
        Operator.active: change.active,
    }
    if change.password:
        values[Operator.password_hash] = await hash_password(change.password)
    async with transaction():
        if operator_id is None:
            rows = await Operator.insert(Operator(**{c._meta.name: v for c, v in values.items()}))
            operator_id = rows[0]["id"]
        else:
            await Operator.update(values).where(Operator.id == operator_id)
        await OperatorRole.delete().where(OperatorRole.operator == operator_id)
        if change.roles:
            await OperatorRole.insert(*[OperatorRole(operator=operator_id, role=roles[c]) for c in change.roles])
        after = await operator_snapshot(operator_id)
        if change.password:
            after["password"] = "changed"
        await auditor.record(
            "operator.create" if not before else "operator.update",
            object_type="operator",
            object_id=operator_id,
            before=before,
            after=after,
        )
    if not change.active or change.password:
        await end_sessions_of("operator", operator_id)
    return operator_id


async def save_role(hall, auditor: Auditor, role_id: int | None, name: str, permissions: set[str]) -> int:
    """Create or update a role (a name and permission codes), audited. Raises :class:`FieldErrors` for a missing or taken
    name or a permission no plugin declares."""
    problems = FieldErrors()
    problems.require(name=name)
    if permissions - known_codes(hall):
        problems.add("permissions", N_("Unknown permission."))
    clash = await Role.select(Role.id).where(Role.name == name).first()
    if clash and clash["id"] != role_id:
        problems.add("name", N_("A role with this name exists."))
    problems.raise_if_any()
    async with transaction():
        before = await Role.select(Role.name, Role.permissions).where(Role.id == role_id).first() if role_id else {}
        after = {"name": name, "permissions": sorted(permissions)}
        if role_id is None:
            rows = await Role.insert(Role(name=after["name"], permissions=after["permissions"]))
            role_id = rows[0]["id"]
        else:
            await Role.update({Role.name: after["name"], Role.permissions: after["permissions"]}).where(
                Role.id == role_id
            )
        await auditor.record(
            "role.create" if not before else "role.update",
            object_type="role",
            object_id=role_id,
            before=before or {},
            after=after,
        )
    return role_id


async def console_logged_in(auditor: Auditor, kind: str, principal_id: int) -> None:
    """After a right console password: an operator's last log-in time, and the audit entry (operators and super-admins)."""
    if kind == "operator":
        await Operator.update({Operator.last_login_at: dt.datetime.now(dt.timezone.utc)}).where(
            Operator.id == principal_id
        )
    await auditor.record("console.login", object_type=kind, object_id=principal_id)
