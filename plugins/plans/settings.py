"""[plugins.plans]: which department confirms plan changes, and their deadlines."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from core.api.workorders import WorkOrderDeadlines


class PlansSettings(WorkOrderDeadlines):
    """Settings of the plans plugin (plan change)."""

    model_config = ConfigDict(extra="forbid")
    WORKORDER_TYPES = ("change",)

    department: str = Field(
        "",
        max_length=32,
        description="Department code that confirms plan changes; empty: unrouted (every order handler sees them).",
    )
