"""[plugins.wechatpay]: who the tenant is at WeChat Pay and which gateway it talks to. The keys are secrets (keys.py)."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

WECHATPAY_GATEWAY = "https://api.mch.weixin.qq.com"
WECHAT_SIGN_IN = "https://open.weixin.qq.com"  # the silent web sign-in (snsapi_base) that gives JSAPI the openid
WECHAT_API = "https://api.weixin.qq.com"  # where the sign-in's code becomes the openid


class WechatPaySettings(BaseModel):
    """Settings of the WeChat Pay provider (API v3: Native and H5 orders). Keys and serial numbers come from the secrets file, see docs/wechatpay.md."""

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)

    mch_id: str = Field(
        "", description="The merchant id (商户号) at WeChat Pay, 8-10 digits. Required for tenants that use WeChat Pay."
    )
    app_id: str = Field(
        "",
        description="The AppID bound to the merchant (wx and 16 hex characters); notifications for another are refused. Required for tenants that use WeChat Pay.",
    )
    gateway: str = Field(
        WECHATPAY_GATEWAY,
        description="WeChat Pay's API host. The default is the real one; the demo uses the local sandbox (`hall sandbox wechatpay`), e.g. http://127.0.0.1:8030.",
    )
    timeout_seconds: int = Field(15, ge=1, le=120, description="Time limit for one server call to WeChat Pay.")
    pay_timeout_minutes: int = Field(
        30, ge=1, le=1440, description="How long the customer has to pay when the payment itself sets no expiry."
    )
    notification_max_age_minutes: int = Field(
        5,
        ge=1,
        le=60,
        description="A notification whose Wechatpay-Timestamp is further than this from the hall's clock is refused (a replay).",
    )

    @field_validator("mch_id")
    @classmethod
    def _mch_id(cls, value: str) -> str:
        if value and not re.fullmatch(r"[0-9]{8,10}", value):
            raise ValueError("a WeChat Pay merchant id (商户号) is 8-10 digits")
        return value

    @field_validator("app_id")
    @classmethod
    def _app_id(cls, value: str) -> str:
        if value and not re.fullmatch(r"wx[0-9a-f]{16}", value):
            raise ValueError("a WeChat AppID is 'wx' followed by 16 hex characters")
        return value

    @field_validator("gateway")
    @classmethod
    def _gateway(cls, value: str) -> str:
        if not re.fullmatch(r"https?://[^\s/?#]+", value.rstrip("/")):
            raise ValueError("the gateway is an http(s) origin without a path, e.g. https://api.mch.weixin.qq.com")
        return value.rstrip("/")


def sign_in_hosts(settings: WechatPaySettings) -> tuple[str, str]:
    """(WeChat's sign-in page host, WeChat's API host): the real ones, or the sandbox standing in for both."""
    if settings.gateway == WECHATPAY_GATEWAY:
        return WECHAT_SIGN_IN, WECHAT_API
    return settings.gateway, settings.gateway
