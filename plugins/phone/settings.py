"""[plugins.phone]: holds, limits, the tenant's service area, appointment windows and the premium-number grades (靓号)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.api.workorders import WorkOrderDeadlines

PATTERNS = ("AAAA", "AAA", "ABCD", "AABB", "ABAB")


class Grade(BaseModel):
    """One premium grade: which numbers it takes (patterns of the last digits, or endings) and what it costs."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(..., min_length=1, max_length=16, pattern=r"^[A-Za-z0-9_-]+$", description="Grade code, e.g. A.")
    name: dict[str, str] = Field(..., description='Its name per language: { zh_CN = "四连号", en = "Four of a kind" }.')
    patterns: list[str] = Field(
        default_factory=list, description="Patterns of the last digits: AAAA, AAA, ABCD (a run up or down), AABB, ABAB."
    )
    endings: list[str] = Field(default_factory=list, description='Lucky endings, digits: ["8", "168", "518"].')
    priority: int = Field(0, ge=0, le=100, description="Lower comes first: a number takes the first grade it matches.")
    prepay_fen: int = Field(
        0, ge=0, description="Prepayment (预存) the customer pays with the order, credited to the account."
    )
    min_spend_fen: int = Field(
        0, ge=0, description="Minimum monthly spend (最低消费): the chosen plan's fee must cover it."
    )

    @field_validator("patterns")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        bad = [p for p in value if p not in PATTERNS]
        if bad:
            raise ValueError(f"unknown pattern {bad[0]!r}; use {', '.join(PATTERNS)}")
        return value

    @field_validator("endings")
    @classmethod
    def _digits(cls, value: list[str]) -> list[str]:
        if any(not (e.isascii() and e.isdigit()) for e in value):
            raise ValueError("endings are digits only")
        return value

    def label(self, language: str) -> str:
        return self.name.get(language) or next(iter(self.name.values()), self.code)


class PhoneSettings(WorkOrderDeadlines):
    """Settings of the phone plugin: installation, number selection with holds (docs/phone.md)."""

    model_config = ConfigDict(extra="forbid")
    WORKORDER_TYPES = ("install", "suspend", "resume", "move", "terminate")

    department: str = Field(
        "", max_length=32, description="Department code that carries out installations; empty: unrouted."
    )
    hold_minutes: int = Field(
        15, ge=1, le=1440, description="How long picking a number holds it (预占) before it is released."
    )
    holds_per_identity: int = Field(
        2, ge=1, le=20, description="Numbers one real-name identity (ID number) may hold at once, over all its log-ins."
    )
    holds_per_address: int = Field(
        2, ge=1, le=20, description="Numbers being installed at one installation address at once, over all customers."
    )
    searches_per_hour: int = Field(
        60,
        ge=1,
        le=10000,
        description="Number searches one client address may make per hour (against scraping the pool).",
    )
    page_size: int = Field(24, ge=4, le=100, description="Numbers shown per search page.")
    area: dict[str, dict[str, list[str]]] = Field(
        default_factory=dict,
        description='The service area: province → city → districts, e.g. { "浙江省" = { "杭州市" = ["西湖区"] } }. '
        "An installation or move address must lie in it.",
    )
    slots: list[str] = Field(
        default_factory=lambda: ["09:00-12:00", "14:00-18:00"],
        description="Appointment windows offered each day, HH:MM-HH:MM in the tenant's zone.",
    )
    booking_days: int = Field(14, ge=1, le=90, description="How many days ahead an appointment may be booked.")
    grades: list[Grade] = Field(
        default_factory=list, description="Premium-number grades (靓号), [[plugins.phone.grades]]."
    )

    @field_validator("slots")
    @classmethod
    def _slots(cls, value: list[str]) -> list[str]:
        import re

        for slot in value:
            if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d", slot):
                raise ValueError(f"slot {slot!r} must be HH:MM-HH:MM")
        return value

    def sorted_grades(self) -> list[Grade]:
        return sorted(self.grades, key=lambda g: g.priority)
