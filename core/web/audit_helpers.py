"""Write an audit entry for the operator behind the current request."""

from __future__ import annotations

from typing import Any

from litestar import Request

from core.audit import record
from core.web.context import client_address, info


async def audit(request: Request, action: str, *, object_type: str = "", object_id: Any = "", before: dict | None = None,
                after: dict | None = None, summary: str = "") -> None:
    staff = info(request).staff
    await record(
        actor=staff.data.get("username", staff.name) if staff else "anonymous",
        actor_kind=staff.kind if staff else "system",
        action=action, object_type=object_type, object_id=object_id, before=before, after=after,
        address=client_address(request), summary=summary,
        operator_id=staff.id if staff and staff.kind == "operator" else None,
    )
