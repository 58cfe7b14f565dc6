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
    charge_from: Literal["bss", "balance", ""] = Field(
        "",
        description="How the charge run settles its monthly fee (hall-charged products only): `bss` (a charge pushed to the BSS), `balance` (from the account's prepaid balance), empty: [products.charges] settle.",
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


class ChargesSection(_Strict):
    """[products.charges]: the recurring charge run (定期划帐) of hall-charged products (docs/products.md#recurring-charges)."""

    enabled: bool = Field(True, description="Run the monthly charge of hall-charged products for this tenant.")
    settle: Literal["bss", "balance"] = Field(
        "bss",
        description="How a charge is settled unless its offering says (`charge_from`): `bss` (pushed to the BSS through the outbox as `charge.posted`) or `balance` (from the account's prepaid balance, read through the balances port; not enough goes into arrears).",
    )
    first_period: str = Field(
        "",
        pattern=r"^(|\d{4}-(0[1-9]|1[0-2]))$",
        description="The first month (`YYYY-MM`, in the tenant's zone) the hall charges; earlier months are never charged. Empty: no limit but `catch_up_months`.",
    )
    catch_up_months: int = Field(
        3,
        ge=1,
        le=24,
        description="How many months (the current one included) each run looks at: a month a run missed is charged by the next.",
    )
    reminder_days: int = Field(
        5,
        ge=0,
        le=28,
        description="Days before a month's charge that a prepaid account whose balance will not cover it is reminded (0: no reminder).",
    )
    grace_days: int = Field(
        10,
        ge=0,
        le=60,
        description="Days after a charge went into arrears before the product is suspended for arrears.",
    )
    final_warning_days: int = Field(
        2, ge=0, le=30, description="Days before the suspension for arrears that the final warning is sent (0: none)."
    )
    suspend_for_arrears: bool = Field(
        True, description="Suspend (欠费停机) a product whose charge is still in arrears when the grace period ends."
    )
    credit_purposes: list[str] = Field(
        default_factory=lambda: ["topup", "bill"],
        description="Payments of these purposes add to the account's balance (a top-up, a bill paid): once one is settled, the account's charges in arrears it covers are paid and a suspension for arrears is lifted at once (复机), before the BSS shows the money.",
    )
    charge_customer_suspended: bool = Field(
        False,
        description="Also charge products the customer suspended (报停); by default a month they are suspended in at the run is skipped.",
    )


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
    charges: ChargesSection = Field(
        default_factory=ChargesSection,
        description="The recurring charge run (定期划帐).",
    )

    @model_validator(mode="after")
    def _unique_codes(self) -> "ProductsSection":
        seen: set[str] = set()
        for o in self.offerings:
            if o.code in seen:
                raise ValueError(f"offering code {o.code!r} is used twice")
            seen.add(o.code)
        return self
