"""[plugins.billpay]: which payment provider bills are paid with, the invoice seller, tax rates and e-invoice provider."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field, field_validator
from stdnum.cn import uscc

PREFIX = re.compile(r"^[A-Z]{1,6}$")


def _rate(value: Decimal) -> Decimal:
    if not Decimal(0) <= value < Decimal(100) or value != value.quantize(Decimal("0.01")):
        raise ValueError("a tax rate is a percentage from 0 to less than 100 with at most two decimals, e.g. 9 or 6")
    return value


class BillpaySettings(BaseModel):
    """Settings of the billpay plugin: the payment provider for bills, the invoice seller and tax rates, the e-invoice provider, the reconciliation report."""

    model_config = ConfigDict(extra="forbid")
    # Names the e-invoice registry knows (plugins/billpay/einvoice.py); register_settings narrows a subclass to the loaded plugins.
    INVOICE_PROVIDERS: ClassVar[frozenset[str]] = frozenset({"local"})

    provider: str = Field(
        "",
        description="Payment provider bills are paid with (one of [payments] providers); empty: the first one listed.",
    )
    invoice_issuer: str = Field(
        "", max_length=100, description="Seller name (销售方名称) printed on invoices; empty: the tenant's name."
    )
    invoice_issuer_tax_number: str = Field(
        "",
        description="Seller's unified social credit code (统一社会信用代码, 18 characters, check character verified); empty: the tenant issues no invoices.",
    )
    invoice_issuer_address_phone: str = Field(
        "", max_length=200, description="Seller's address and telephone (地址、电话) printed on invoices; optional."
    )
    invoice_issuer_bank_account: str = Field(
        "", max_length=200, description="Seller's bank and account number (开户行及账号) printed on invoices; optional."
    )
    invoice_prefix: str = Field(
        "FP",
        description="Invoice numbers are this prefix (1-6 capital letters) and ten digits, counted per tenant without gaps.",
    )
    invoice_tax_rates: dict[str, Decimal] = Field(
        default_factory=dict,
        description="VAT rate in percent per bill item code (e.g. { yzf = 9, swf = 6 }: basic telecom services 9, value-added 6); codes are matched case-insensitively.",
    )
    invoice_default_tax_rate: Decimal = Field(
        Decimal(9),
        description="VAT rate in percent of bill items whose code is not in invoice_tax_rates, and of bills without items.",
    )
    invoice_provider: str = Field(
        "local",
        description="E-invoice provider that issues the invoices: 'local' (the hall's stand-in, stores them itself) or one a plugin registers (docs/billpay.md).",
    )
    writeback_late_minutes: int = Field(
        60,
        ge=1,
        le=10080,
        description="A payment's write-back to the legacy system still waiting after this long is listed in the reconciliation report.",
    )

    @field_validator("invoice_issuer_tax_number")
    @classmethod
    def _seller_code(cls, value: str) -> str:
        value = value.strip().upper()
        if value and not uscc.is_valid(value):
            raise ValueError("not a valid unified social credit code (18 characters with a check character)")
        return value

    @field_validator("invoice_prefix")
    @classmethod
    def _prefix(cls, value: str) -> str:
        if not PREFIX.match(value):
            raise ValueError("an invoice prefix is 1 to 6 capital letters A-Z")
        return value

    @field_validator("invoice_tax_rates")
    @classmethod
    def _rates(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        out = {}
        for code, rate in value.items():
            try:
                out[code.lower()] = _rate(rate)
            except ValueError as exc:
                raise ValueError(f"{code}: {exc}") from None
        return out

    @field_validator("invoice_default_tax_rate")
    @classmethod
    def _default_rate(cls, value: Decimal) -> Decimal:
        return _rate(value)

    @field_validator("invoice_provider")
    @classmethod
    def _known_provider(cls, value: str) -> str:
        if value not in cls.INVOICE_PROVIDERS:
            raise ValueError(f"no e-invoice provider {value!r} (have: {', '.join(sorted(cls.INVOICE_PROVIDERS))})")
        return value

    def rate_of(self, code: str) -> Decimal:
        return self.invoice_tax_rates.get((code or "").lower(), self.invoice_default_tax_rate)


def settings_model(providers: set[str]) -> type[BillpaySettings]:
    """The settings model whose ``invoice_provider`` must be one of ``providers`` (what this hall's plugins register)."""

    class Settings(BillpaySettings):
        __doc__ = BillpaySettings.__doc__
        INVOICE_PROVIDERS: ClassVar[frozenset[str]] = frozenset(providers)

    return Settings
