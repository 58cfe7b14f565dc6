"""The audit log: every operator action, who, what, when, before and after."""

from __future__ import annotations

import datetime as dt
from typing import Any

from piccolo.columns import JSON, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from core.db.scoping import TenantTable
from core.privacy import redact


class AuditLog(TenantTable, tablename="core_audit_log"):
    at = Timestamptz(default=TimestamptzNow(), index=True)
    actor = Varchar(length=64, index=True)
    actor_kind = Varchar(length=16)  # operator | super | system
    action = Varchar(length=64, index=True)
    object_type = Varchar(length=64, default="")
    object_id = Varchar(length=64, default="")
    before = JSON(default={})
    after = JSON(default={})
    address = Varchar(length=64, default="")
    summary = Text(default="")
    operator_id = Integer(null=True, default=None)


async def record(
    *,
    actor: str,
    actor_kind: str,
    action: str,
    object_type: str = "",
    object_id: Any = "",
    before: dict | None = None,
    after: dict | None = None,
    address: str = "",
    summary: str = "",
    operator_id: int | None = None,
) -> None:
    """Write one audit entry in the current tenant (inside the caller's transaction when there is one)."""
    await AuditLog.insert(
        AuditLog(
            at=dt.datetime.now(dt.timezone.utc),
            actor=actor,
            actor_kind=actor_kind,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            before=redact(before or {}),
            after=redact(after or {}),
            address=address,
            summary=summary,
            operator_id=operator_id,
        )
    )
