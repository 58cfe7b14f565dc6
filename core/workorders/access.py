"""Who may see and act on an order: actors, permissions, department membership and first-responder ownership.

首问负责 (first-responder ownership): the first operator who acts on an order
owns it until it is closed or formally transferred. Afterwards only the owner
acts on it; the head of the order's department and holders of
``core.workorders.supervise`` may act too (they take it over by transferring).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.i18n import N_
from core.workorders.tables import Department, DepartmentMember

HANDLE = "core.workorders.handle"
SUPERVISE = "core.workorders.supervise"
DEPARTMENTS = "core.workorders.departments"


@dataclass(frozen=True)
class Actor:
    """Who does something to an order. ``id`` is the Operator id, the CustomerAccount id, or None for the system."""

    kind: str  # operator | customer | system
    id: int | None = None
    name: str = ""
    permissions: frozenset[str] = field(default_factory=frozenset)
    superuser: bool = False  # a super-admin acting in the console

    @classmethod
    def system(cls, name: str = "system") -> "Actor":
        return cls("system", None, name)

    @classmethod
    def from_principal(cls, principal) -> "Actor":
        if principal.kind == "customer":
            return cls("customer", principal.id, principal.name)
        # a super-admin acts with every permission but owns nothing: it has no Operator row
        return cls(
            "operator",
            principal.id if principal.kind == "operator" else None,
            principal.name,
            principal.permissions,
            superuser=principal.kind == "super",
        )

    def can(self, permission: str | None) -> bool:
        return permission is None or self.superuser or permission in self.permissions


class WorkOrderError(Exception):
    """A refused request. ``message`` is a message id (translated where shown), ``params`` its values."""

    status = 400

    def __init__(self, message: str, **params: Any):
        super().__init__(message % params if params else message)
        self.message, self.params = message, params


class NotAllowed(WorkOrderError):
    status = 403


class NotFound(WorkOrderError):
    status = 404


class Conflict(WorkOrderError):
    """The order changed under us (another operator was faster)."""

    status = 409


class InvalidData(WorkOrderError):
    """Form data the type (or the core) refused: ``errors`` maps field names to message ids."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(N_("Please correct the marked fields."))
        self.errors = errors


async def departments_of(operator_id: int | None) -> set[int]:
    if operator_id is None:
        return set()
    rows = await DepartmentMember.select(DepartmentMember.department).where(DepartmentMember.operator == operator_id)
    return {r["department"] for r in rows}


async def heads_of(operator_id: int | None) -> set[int]:
    if operator_id is None:
        return set()
    return {r["id"] for r in await Department.select(Department.id).where(Department.head == operator_id)}


async def can_see(order: dict, actor: Actor) -> bool:
    """Customers see their own orders; operators those of their departments, their own and unrouted ones."""
    if actor.kind == "system":
        return True
    if actor.kind == "customer":
        return order["customer"] is not None and order["customer"] == actor.id
    if actor.can(SUPERVISE):
        return True
    if not actor.can(HANDLE):
        return False
    if order["assignee"] is not None and order["assignee"] == actor.id:
        return True
    return order["department"] is None or order["department"] in await departments_of(actor.id) | await heads_of(
        actor.id
    )


async def may_override(order: dict, actor: Actor) -> bool:
    """Act on an order someone else owns: supervisors and the head of its department."""
    return actor.can(SUPERVISE) or (order["department"] is not None and order["department"] in await heads_of(actor.id))


async def check_operator_acts(order: dict, actor: Actor) -> bool:
    """Raise unless ``actor`` may act on the order now; True when acting makes them its owner (first touch)."""
    if not await can_see(order, actor):
        raise NotFound(N_("No such work order."))
    if order["assignee"] is None:
        return actor.id is not None  # a super-admin has no Operator row to own it with
    if order["assignee"] == actor.id or await may_override(order, actor):
        return False
    raise NotAllowed(N_("Another operator owns this work order; ask them or the department head to transfer it."))


def permissions() -> list:
    from core.auth.permissions import Permission

    return [
        Permission(HANDLE, N_("Work orders: see my departments' queues, claim, act on and transfer orders")),
        Permission(SUPERVISE, N_("Work orders: see every department and act on or transfer any order")),
        Permission(DEPARTMENTS, N_("Work orders: manage departments, their heads and members")),
    ]
