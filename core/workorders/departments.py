"""Departments of a tenant and who belongs to them (the console's department page uses these)."""

from __future__ import annotations

from core.auth.tables import Operator
from core.workorders.tables import Department, DepartmentMember


async def save_department(code: str, name: str, *, head: int | None = None, email: str = "", active: bool = True,
                          department_id: int | None = None) -> int:
    """Create (no ``department_id``) or update a department; returns its id."""
    values = {Department.code: code, Department.name: name, Department.head: head, Department.email: email, Department.active: active}
    if department_id is None:
        rows = await Department.insert(Department(**{c._meta.name: v for c, v in values.items()}))
        return rows[0]["id"]
    await Department.update(values).where(Department.id == department_id)
    return department_id


async def add_member(department_id: int, operator_id: int) -> None:
    await DepartmentMember.insert(DepartmentMember(department=department_id, operator=operator_id)).on_conflict(
        target=(DepartmentMember.tenant, DepartmentMember.department, DepartmentMember.operator), action="DO NOTHING")


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
