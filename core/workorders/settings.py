"""Per-tenant deadlines live in the settings of the plugin that declares the types.

A plugin's settings model derives from :class:`WorkOrderDeadlines`, so the
tenant's ``[plugins.<plugin>] workorder_deadline_hours`` is validated, layered
(hall.toml, then tenant.toml) and reported with file, key and reason like every
other plugin setting. Keys are the type's name without the plugin prefix,
optionally with a category: ``complaint = 48``, ``"complaint/billing" = 24``.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, Field, field_validator


class WorkOrderDeadlines(BaseModel):
    """Mixin for a plugin's settings model: per-tenant work-order deadlines."""

    WORKORDER_TYPES: ClassVar[tuple[str, ...]] = ()  # the plugin's type names ("complaint"); checked when set

    workorder_deadline_hours: dict[str, float] = Field(
        default_factory=dict,
        description="Hours until a work order is due, by type name (`complaint = 48`) or type and category "
        '(`"complaint/billing" = 24`); overrides the type\'s defaults. 0 means no deadline.',
    )

    @field_validator("workorder_deadline_hours")
    @classmethod
    def _check_deadlines(cls, value: dict[str, float]) -> dict[str, float]:
        for key, hours in value.items():
            name = key.split("/", 1)[0]
            if cls.WORKORDER_TYPES and name not in cls.WORKORDER_TYPES:
                raise ValueError(
                    f"unknown work-order type {name!r} in {key!r} (this plugin has: {', '.join(cls.WORKORDER_TYPES)})"
                )
            if hours < 0:
                raise ValueError(f"{key!r}: hours must be 0 (no deadline) or more, not {hours}")
        return value
