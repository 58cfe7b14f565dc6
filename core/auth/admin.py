"""Create super-admins and operators from the command line and the demo set-up (idempotent)."""

from __future__ import annotations

from core.auth.passwords import hash_password
from core.auth.tables import Operator, OperatorRole, Role, SuperAdmin
from core.db import transaction
from core.db.scoping import all_tenants
from core.tenancy import Tenant, tenant_scope


async def ensure_superadmin(username: str, display_name: str, password: str) -> int:
    password_hash = await hash_password(password)
    with all_tenants():
        row = await SuperAdmin.select(SuperAdmin.id).where(SuperAdmin.username == username).first()
        if row:
            await SuperAdmin.update(
                {
                    SuperAdmin.password_hash: password_hash,
                    SuperAdmin.display_name: display_name,
                    SuperAdmin.active: True,
                }
            ).where(SuperAdmin.id == row["id"])
            return row["id"]
        rows = await SuperAdmin.insert(
            SuperAdmin(username=username, display_name=display_name, password_hash=password_hash)
        )
        return rows[0]["id"]


async def ensure_role(name: str, permissions: list[str]) -> int:
    row = await Role.select(Role.id).where(Role.name == name).first()
    if row:
        await Role.update({Role.permissions: sorted(permissions)}).where(Role.id == row["id"])
        return row["id"]
    rows = await Role.insert(Role(name=name, permissions=sorted(permissions)))
    return rows[0]["id"]


async def ensure_operator(
    tenant: Tenant,
    username: str,
    display_name: str,
    password: str,
    role: str,
    permissions: list[str],
    department: str = "",
) -> int:
    password_hash = await hash_password(password)
    with tenant_scope(tenant):
        async with transaction():
            role_id = await ensure_role(role, permissions)
            row = await Operator.select(Operator.id).where(Operator.username == username).first()
            if row:
                operator_id = row["id"]
                await Operator.update(
                    {Operator.password_hash: password_hash, Operator.display_name: display_name, Operator.active: True}
                ).where(Operator.id == operator_id)
            else:
                rows = await Operator.insert(
                    Operator(
                        username=username, display_name=display_name, password_hash=password_hash, department=department
                    )
                )
                operator_id = rows[0]["id"]
            if not await OperatorRole.exists().where(
                (OperatorRole.operator == operator_id) & (OperatorRole.role == role_id)
            ):
                await OperatorRole.insert(OperatorRole(operator=operator_id, role=role_id))
    return operator_id


async def operator_id(username: str) -> int | None:
    """The current tenant's operator called ``username`` (say the demo's ``admin``), or None."""
    row = await Operator.select(Operator.id).where(Operator.username == username).first()
    return row["id"] if row else None
