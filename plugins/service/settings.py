"""[plugins.service]: complaint categories → departments, limits, reopening period (plus work-order deadlines)."""

from __future__ import annotations

import re

from pydantic import ConfigDict, Field, field_validator

from core.api import N_
from core.api.workorders import WorkOrderDeadlines

# Complaint categories: fixed codes (statistics compare them across tenants), labels translated.
CATEGORIES = {
    "billing": N_("Billing and charges"),
    "network": N_("Network and signal"),
    "broadband": N_("Broadband"),
    "staff": N_("Staff and service attitude"),
    "other": N_("Other"),
}
DEPARTMENT_CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class ServiceSettings(WorkOrderDeadlines):
    """Settings of the service plugin: where complaints and consultations go, how long customers may reopen, flood limits."""

    model_config = ConfigDict(extra="forbid")
    WORKORDER_TYPES = ("complaint", "consultation")

    complaint_departments: dict[str, str] = Field(
        default_factory=lambda: {"billing": "BILL", "network": "NET", "broadband": "NET"},
        description="Complaint category → department code. Categories: billing, network, broadband, staff, other; "
        "an unmapped category goes to default_department.",
    )
    default_department: str = Field(
        "CS", description="Department code for unmapped complaint categories and for consultations."
    )
    reopen_days: int = Field(
        7, ge=0, le=365, description="Days after the resolution during which the customer may reopen a complaint."
    )
    max_text: int = Field(2000, ge=100, le=20000, description="Longest question or complaint text, in characters.")
    per_customer_per_hour: int = Field(
        5, ge=1, le=1000, description="Consultations plus complaints one customer may submit per hour."
    )
    per_address_per_hour: int = Field(
        10, ge=1, le=10000, description="Submissions one network address may make per hour (visitors included)."
    )
    attachment_max_kb: int = Field(
        1024,
        ge=16,
        le=1536,
        description="Largest complaint attachment, in KiB (PNG, JPEG or PDF); the hall refuses request bodies over 2 MiB anyway.",
    )

    @field_validator("complaint_departments")
    @classmethod
    def _known_categories(cls, value: dict[str, str]) -> dict[str, str]:
        for category, department in value.items():
            if category not in CATEGORIES:
                raise ValueError(f"unknown complaint category {category!r} (one of {', '.join(CATEGORIES)})")
            if not DEPARTMENT_CODE.match(department):
                raise ValueError(
                    f"department code {department!r} of {category!r} must be 1-32 letters, digits, '-' or '_'"
                )
        return value

    @field_validator("default_department")
    @classmethod
    def _department_code(cls, value: str) -> str:
        if not DEPARTMENT_CODE.match(value):
            raise ValueError("a department code is 1-32 letters, digits, '-' or '_'")
        return value
