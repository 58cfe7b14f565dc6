"""[plugins.topup]: the payment provider, the amounts offered and allowed, and the limits against abuse."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

MAX_TOPUP_FEN = 10_000_000  # ¥100,000: past any top-up a hall takes online


class TopupSettings(BaseModel):
    """Settings of the topup plugin (充值/代缴): amounts offered and allowed, and the limits that keep the public page from being abused (docs/topup.md)."""

    model_config = ConfigDict(extra="forbid")

    provider: str = Field(
        "",
        description="Payment provider top-ups are paid with (one of [payments] providers); empty: the first one listed.",
    )
    presets_fen: list[int] = Field(
        default_factory=lambda: [3000, 5000, 10000, 20000, 30000, 50000],
        description="The amounts offered as buttons, in fen (3000 = ¥30), each within min_fen..max_fen; at most 12.",
    )
    custom_amount: bool = Field(
        True, description="Let the payer type another amount (in yuan) within min_fen..max_fen."
    )
    min_fen: int = Field(1000, ge=1, le=MAX_TOPUP_FEN, description="The least one top-up may be, in fen.")
    max_fen: int = Field(50000, ge=1, le=MAX_TOPUP_FEN, description="The most one top-up may be, in fen.")
    number_daily_count: int = Field(
        5,
        ge=1,
        le=1000,
        description="Paid top-ups one service number may receive per day (the tenant's calendar day); refunded ones do not count.",
    )
    number_daily_fen: int = Field(
        200000,
        ge=1,
        le=100 * MAX_TOPUP_FEN,
        description="Fen one service number may receive in paid top-ups per day, refunds taken off.",
    )
    address_hourly_attempts: int = Field(
        30,
        ge=1,
        le=10000,
        description="Number look-ups and payments started from one client address per hour (many payers may share an address behind NAT).",
    )

    @field_validator("presets_fen")
    @classmethod
    def _presets(cls, value: list[int]) -> list[int]:
        if len(value) > 12:
            raise ValueError("at most 12 preset amounts")
        if any(v <= 0 for v in value):
            raise ValueError("preset amounts are positive numbers of fen, e.g. 5000 for ¥50")
        return sorted(set(value))

    @model_validator(mode="after")
    def _consistent(self) -> "TopupSettings":
        if self.min_fen > self.max_fen:
            raise ValueError(f"min_fen ({self.min_fen}) is more than max_fen ({self.max_fen})")
        outside = [v for v in self.presets_fen if not self.min_fen <= v <= self.max_fen]
        if outside:
            raise ValueError(f"preset amounts {outside} are outside min_fen..max_fen ({self.min_fen}..{self.max_fen})")
        if not self.presets_fen and not self.custom_amount:
            raise ValueError("with no preset amounts, custom_amount must be true (otherwise nothing can be paid)")
        if self.max_fen > self.number_daily_fen:
            raise ValueError(f"max_fen ({self.max_fen}) is more than number_daily_fen ({self.number_daily_fen})")
        return self
