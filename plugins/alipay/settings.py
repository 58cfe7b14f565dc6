"""[plugins.alipay]: who the tenant is at Alipay and which gateway it talks to. The keys are secrets (keys.py)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

ALIPAY_GATEWAY = "https://openapi.alipay.com/gateway.do"


class AlipaySettings(BaseModel):
    """Settings of the Alipay payment provider (alipay.trade.page.pay / wap.pay). The RSA keys come from the secrets file, see docs/alipay.md."""

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)

    app_id: str = Field(
        "",
        description="The tenant's application id at Alipay (16 digits, e.g. 2021000000000001). Required for tenants that use Alipay.",
    )
    seller_id: str = Field(
        "",
        description="The merchant's Alipay partner id (PID, 2088 and 12 digits); notifications for another seller are refused. Required for tenants that use Alipay.",
    )
    gateway: str = Field(
        ALIPAY_GATEWAY,
        description="Alipay's gateway. The default is the real one; the demo uses the local sandbox (`hall sandbox alipay`), e.g. http://127.0.0.1:8020/gateway.do.",
    )
    sign_type: Literal["RSA2"] = Field(
        "RSA2", description="Signature scheme: RSA2 (SHA256withRSA) only; Alipay deprecated RSA (SHA1)."
    )
    timeout_seconds: int = Field(
        15, ge=1, le=120, description="Time limit for one server call to the gateway (query, refund, close)."
    )
    pay_timeout_minutes: int = Field(
        30,
        ge=1,
        le=1440,
        description="How long the customer has to pay at Alipay when the payment itself sets no expiry.",
    )

    @field_validator("app_id")
    @classmethod
    def _app_id(cls, value: str) -> str:
        if value and not re.fullmatch(r"[0-9]{16}", value):
            raise ValueError("an Alipay app id is 16 digits")
        return value

    @field_validator("seller_id")
    @classmethod
    def _seller_id(cls, value: str) -> str:
        if value and not re.fullmatch(r"2088[0-9]{12}", value):
            raise ValueError("an Alipay seller id (PID) is 2088 followed by 12 digits")
        return value

    @field_validator("gateway")
    @classmethod
    def _gateway(cls, value: str) -> str:
        if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value):
            raise ValueError(
                "the gateway must be an http(s) URL without query, e.g. https://openapi.alipay.com/gateway.do"
            )
        return value
