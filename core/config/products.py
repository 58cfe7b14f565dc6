"""[products] in tenant.toml: the tenant's product offerings (catalog) and when changes take effect (docs/products.md)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

OFFERING_CODE = re.compile(r"^[a-z0-9][a-z0-9_.:-]{0,63}$")
TextValue = str | dict[str, str]  # one text, or {language: text}; the loader lower-cases keys (zh_cn)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)


class OfferingSettings(_Strict):
    """[[products.offerings]]: one product offering (what customers can order, and at what price)."""

    code: str = Field(..., description="The offering's code, unique in the tenant (lower case, digits, `_.:-`).")
    specification: str = Field(
        "line",
        description="What kind of product it is: `line` (a service line's plan, the core's) or a plugin's specification.",
    )
    name: TextValue = Field(..., description='Its name: one text, or one per language (`{ zh_CN = "…", en = "…" }`).')
    description: TextValue = Field("", description="A line about it, shown with the choice (one text or per language).")
    terms: TextValue = Field("", description="Its terms (合约条款), shown before the customer confirms.")
    group: str = Field(
        "",
        max_length=32,
        description="Offerings that replace one another (the plans of a mobile line): a plan change chooses within the current plan's group.",
    )
    legacy_code: str = Field(
        "",
        max_length=64,
        description="The BSS's code for it (its tariff code): orders name it, synced lines are matched by it.",
    )
    one_off_fen: int = Field(0, ge=0, description="One-off fee in fen, paid when ordering.")
    monthly_fee_fen: int = Field(0, ge=0, description="Monthly fee in fen.")
    deposit_fen: int = Field(
        0, ge=0, description="Deposit or prepayment (预存) in fen, paid when ordering and credited to the account."
    )
    min_spend_fen: int = Field(0, ge=0, description="Minimum monthly spend (最低消费) in fen the customer commits to.")
    number_kinds: list[str] = Field(
        default_factory=list,
        description="Service-number kinds it is for (`phone`, `broadband`, `account`); empty: any.",
    )
    orderable: bool = Field(True, description="False: shown (a synced line's old plan) but no longer sold.")
    rules: list[Literal["covers_min_spend"]] = Field(
        default_factory=lambda: ["covers_min_spend"],
        description="Eligibility rules: `covers_min_spend` (the monthly fee must cover the number's minimum spend).",
    )
    change_effective: Literal["next_month", "immediate", ""] = Field(
        "", description="When a change to this offering takes effect; empty: [products] change_effective."
    )

    @field_validator("name", "description", "terms")
    @classmethod
    def _languages(cls, value: TextValue) -> TextValue:
        if isinstance(value, dict):
            unknown = sorted(k for k in value if k.lower() not in ("zh_cn", "en"))
            if unknown:
                raise ValueError(f"languages are zh_CN and en (got {', '.join(unknown)})")
        return value

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        if not OFFERING_CODE.match(value):
            raise ValueError("lower case letters, digits and _.:- (at most 64), starting with a letter or digit")
        return value


class ProductsSection(_Strict):
    """Product offerings and orders (docs/products.md)."""

    offerings: list[OfferingSettings] = Field(
        default_factory=list, description="The tenant's offerings, one `[[products.offerings]]` table each (see below)."
    )
    change_effective: Literal["next_month", "immediate"] = Field(
        "next_month",
        description="When a change (a plan change) takes effect by default: the first day of next month in the tenant's time zone, or when the order completes.",
    )
    connector_catalog: bool = Field(
        False,
        description="Also show the BSS's tariffs (the connector's tariff catalog port, when it has one) as offerings that are not sold.",
    )
    tell_customers: bool = Field(True, description="Send the customer an SMS or e-mail at each milestone of an order.")

    @model_validator(mode="after")
    def _unique_codes(self) -> "ProductsSection":
        seen: set[str] = set()
        for o in self.offerings:
            if o.code in seen:
                raise ValueError(f"offering code {o.code!r} is used twice")
            seen.add(o.code)
        return self
