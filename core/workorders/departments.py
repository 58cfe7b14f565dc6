"""Departments of a tenant and who belongs to them: the queries, the writes and the console form's checked, audited save."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.auth.tables import Operator
from core.db import transaction
from core.i18n import N_
from core.web.audit_helpers import Auditor
from core.web.forms import FieldErrors
from core.workorders.tables import Department, DepartmentMember

CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
UNKNOWN_OPERATOR = N_("Unknown operator.")


@dataclass(frozen=True)
class DepartmentChange:
    """What the department form asks for (``head`` and ``members`` are operator ids)."""

    code: str
    name: str
    head: int | None = None
    email: str = ""
    active: bool = True
    members: set[int] = field(default_factory=set)


async def save_department(
    code: str,
    name: str,
    *,
    head: int | None = None,
    email: str = "",
    active: bool = True,
    department_id: int | None = None,
) -> int:
    """Create (no ``department_id``) or update a department; returns its id."""
    values = {
        Department.code: code,
        Department.name: name,
        Department.head: head,
        Department.email: email,
        Department.active: active,
    }
    if department_id is None:
        rows = await Department.insert(Department(**{c._meta.name: v for c, v in values.items()}))
        return rows[0]["id"]
    await Department.update(values).where(Department.id == department_id)
    return department_id


async def add_member(department_id: int, operator_id: int) -> None:
    await DepartmentMember.insert(DepartmentMember(department=department_id, operator=operator_id)).on_conflict(
        target=(DepartmentMember.tenant, DepartmentMember.department, DepartmentMember.operator), action="DO NOTHING"
    )


async def set_members(department_id: int, operator_ids: list[int]) -> None:
    await DepartmentMember.delete().where(DepartmentMember.department == department_id)
    for operator_id in operator_ids:
        await add_member(department_id, operator_id)


async def departments() -> list[dict]:
    """Every department with its members' ids, by code."""
    rows = await Department.select().order_by(Department.code)
    members = await DepartmentMember.select(DepartmentMember.department, DepartmentMember.operator)
    for row in rows:
        row["members"] = sorted(m["operator"] for m in members if m["department"] == row["id"])
    return rows


async def operator_names() -> dict[int, str]:
    return {r["id"]: r["display_name"] for r in await Operator.select(Operator.id, Operator.display_name)}


async def department_snapshot(department_id: int) -> dict | None:
    """The department as the audit log and the form see it (member ids included); None when the tenant has no such one."""
    found = [d for d in await departments() if d["id"] == department_id]
    return {k: found[0][k] for k in ("code", "name", "head", "email", "active", "members")} if found else None


async def save_department_form(
    auditor: Auditor, department_id: int | None, change: DepartmentChange, problems: FieldErrors | None = None
) -> int:
    """Create or update a department and its members, audited in the same transaction; returns its id.

    Raises :class:`FieldErrors` (nothing written) with ``problems`` (what the page could not parse) and what is wrong here:
    a missing or malformed code, a code in use, an unknown head or member, a bad e-mail address.
    """
    problems = problems or FieldErrors()
    problems.require(code=change.code, name=change.name)
    if change.code and not CODE.match(change.code):
        problems.add("code", N_("Letters, digits, - and _ only (at most 32)."))
    clash = await Department.select(Department.id).where(Department.code == change.code).first()
    if clash and clash["id"] != department_id:
        problems.add("code", N_("A department with this code exists."))
    operator_ids = {r["id"] for r in await Operator.select(Operator.id)}
    if change.head is not None and change.head not in operator_ids:
        problems.add("head", UNKNOWN_OPERATOR)
    if change.email and ("@" not in change.email or len(change.email) > 254):
        problems.add("email", N_("Enter a valid e-mail address."))
    if change.members - operator_ids:
        problems.add("members", UNKNOWN_OPERATOR)
    problems.raise_if_any()
    before = await department_snapshot(department_id) if department_id else {}
    async with transaction():
        department_id = await save_department(
            change.code,
            change.name[:100],
            head=change.head,
            email=change.email,
            active=change.active,
            department_id=department_id,
        )
        await set_members(department_id, sorted(change.members))
        after = await department_snapshot(department_id)
        await auditor.record(
            "department.update" if before else "department.create",
            object_type="department",
            object_id=department_id,
            before=before,
            after=after,
        )
    return department_id
