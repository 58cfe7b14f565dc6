"""[plugins.shop]: the payment provider, PIN length, stock holds, and the redemption limits (docs/shop.md)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator


class CodeName(BaseModel):
    """One row of a tenant's code table: a stored code and its names in both languages."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[a-z0-9_-]{1,16}$", description="Stored code (lower-case letters, digits, - or _).")
    name_zh: str = Field(min_length=1, max_length=40)
    name_en: str = Field(min_length=1, max_length=40)


class ShippingMethod(CodeName):
    fee_fen: int = Field(0, ge=0, le=100_000, description="What the buyer pays for shipping, in fen.")


DEFAULT_METHODS = [
    ShippingMethod(code="standard", name_zh="普通快递", name_en="Standard delivery", fee_fen=0),
    ShippingMethod(code="express", name_zh="次日达", name_en="Next-day delivery", fee_fen=1200),
]
DEFAULT_COURIERS = [
    CodeName(code="sf", name_zh="顺丰速运", name_en="SF Express"),
    CodeName(code="ems", name_zh="中国邮政 EMS", name_en="China Post EMS"),
    CodeName(code="zto", name_zh="中通快递", name_en="ZTO Express"),
]


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

    shipping_methods: list[ShippingMethod] = Field(
        default_factory=lambda: list(DEFAULT_METHODS),
        min_length=1,
        description="Shipping methods a buyer of a physical product chooses from (code, name_zh, name_en, fee_fen).",
    )
    couriers: list[CodeName] = Field(
        default_factory=lambda: list(DEFAULT_COURIERS),
        min_length=1,
        description="Couriers (carriers) an operator ships with (code, name_zh, name_en).",
    )
    auto_complete_days: int = Field(
        10, ge=1, le=60, description="Days after shipment when an order the buyer did not confirm is completed."
    )
    image_max_kb: int = Field(
        2048, ge=64, le=20480, description="Largest product image an operator may upload, in KB (checked by content)."
    )
    image_max_pixels: int = Field(
        24_000_000,
        ge=100_000,
        le=100_000_000,
        description="Most pixels (width × height, read from the header before decoding) of an uploaded product image; "
        "more is refused as a possible decompression bomb.",
    )

    aftersales_department: str = Field(
        "CS",
        pattern=r"^[A-Za-z0-9_-]{0,32}$",
        description="Department code after-sales requests (return, exchange, lost card) are routed to; "
        "an unknown code or empty: unrouted, seen by every operator who handles work orders.",
    )

    @field_validator("shipping_methods", "couriers")
    @classmethod
    def _codes_once(cls, rows: list) -> list:
        codes = [row.code for row in rows]
        if len(set(codes)) != len(codes):
            raise ValueError("each code at most once")
        return rows
