"""Who is acting, taken from the request, so that services can write audit entries without seeing the request.

A handler hands the service an :class:`Auditor` (``auditor: AuditorDep`` by dependency injection, or
``auditor_of(request)``); the service writes the entry with ``await auditor.record(...)`` inside the
transaction of the change it makes (docs/architecture.md, "The request path").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request

from core.audit import record
from core.web.context import client_address, info


@dataclass(frozen=True)
class Auditor:
    """The actor of an audit entry: an operator or super-admin, or "anonymous" (system) when nobody is signed in."""

    actor: str
    actor_kind: str
    address: str = ""
    operator_id: int | None = None

    async def record(
        self,
        action: str,
        *,
        object_type: str = "",
        object_id: Any = "",
        before: dict | None = None,
        after: dict | None = None,
        summary: str = "",
    ) -> None:
        await record(
            actor=self.actor,
            actor_kind=self.actor_kind,
            action=action,
            object_type=object_type,
            object_id=object_id,
            before=before,
            after=after,
            address=self.address,
            summary=summary,
            operator_id=self.operator_id,
        )


def auditor_of(request: Request) -> Auditor:
    """The request's staff member as an :class:`Auditor` (read when called: after a log-in, the new principal)."""
    staff = info(request).staff
    return Auditor(
        actor=staff.data.get("username", staff.name) if staff else "anonymous",
        actor_kind=staff.kind if staff else "system",
        address=client_address(request),
        operator_id=staff.id if staff and staff.kind == "operator" else None,
    )


async def audit(
    request: Request,
    action: str,
    *,
    object_type: str = "",
    object_id: Any = "",
    before: dict | None = None,
    after: dict | None = None,
    summary: str = "",
) -> None:
    """Audit what the request itself did (a view, a log-in); changes are audited by the service that makes them."""
    await auditor_of(request).record(
        action, object_type=object_type, object_id=object_id, before=before, after=after, summary=summary
    )
