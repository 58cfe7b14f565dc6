"""[plugins.shop]: the payment provider, PIN length, stock holds, and the redemption limits (docs/shop.md)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator


class ShopSettings(BaseModel):
    """Settings of the shop plugin (卡品商城): phone and internet cards with electronic PINs, and card top-up (docs/shop.md)."""

    model_config = ConfigDict(extra="forbid")

    provider: str = Field(
        "",
        description="Payment provider orders are paid with (one of [payments] providers); empty: the first one listed.",
    )
    pin_digits: int = Field(18, ge=16, le=24, description="Digits of a generated PIN (at least 16).")
    hold_minutes: int = Field(
        15, ge=1, le=1440, description="How long checkout holds a card for an unpaid order; an expired hold is ignored."
    )
    address_hourly_failures: int = Field(
        10,
        ge=1,
        le=1000,
        description="Failed card top-ups per client address per hour before the address is locked out.",
    )
    account_daily_failures: int = Field(
        10,
        ge=1,
        le=1000,
        description="Failed card top-ups per logged-in customer per day before the customer is locked out.",
    )
    number_daily_failures: int = Field(
        20,
        ge=1,
        le=10000,
        description="Failed card top-ups onto one number per day before visitors are locked out for it; "
        "the number's own logged-in holder never is.",
    )
    public_url: str = Field(
        "",
        description="Absolute address of the tenant's hall for the link in an order's e-mail and SMS, "
        "e.g. https://www.example.com/t/jiangnan. Empty: http://<first host of the tenant>.",
    )

    @field_validator("public_url")
    @classmethod
    def _absolute(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value
