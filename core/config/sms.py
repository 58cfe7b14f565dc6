"""[sms] in tenant.toml: which SMS provider carries the tenant's codes and notices, and how.

Secrets (the SMPP password, the cloud access key secret) are never here: they come
from the secrets file or the environment (core/notify/sms/secrets.py).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

ALIYUN_ENDPOINT = "https://dysmsapi.aliyuncs.com/"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)


class SmppSettings(_Strict):
    """[sms.smpp]: the operator's own SMS centre (SMSC), SMPP 3.4 over TCP."""

    host: str = Field("", description='SMSC host name or address. Required when provider = "smpp".')
    port: int = Field(2775, ge=1, le=65535, description="SMSC port.")
    system_id: str = Field(
        "",
        max_length=15,
        description="The ESME account (system_id) the SMSC gave the hall. Required. The password is a secret (SMPP 3.4: at most 8 characters): `smpp_password` under [sms.<tenant>] in the secrets file.",
    )
    system_type: str = Field("", max_length=12, description="system_type sent with the bind, if the SMSC wants one.")
    source_addr: str = Field(
        "", max_length=20, description="Sender number (the tenant's service code, e.g. 1065900010000). Required."
    )
    source_addr_ton: int = Field(
        0,
        ge=0,
        le=6,
        description="Type of number of the sender (0 unknown, 1 international, 2 national, 3 network specific, 5 alphanumeric).",
    )
    source_addr_npi: int = Field(0, ge=0, le=18, description="Numbering plan of the sender (0 unknown, 1 E.164).")
    dest_addr_ton: int = Field(0, ge=0, le=6, description="Type of number of recipients.")
    dest_addr_npi: int = Field(1, ge=0, le=18, description="Numbering plan of recipients (1 E.164).")
    timeout_seconds: float = Field(
        5.0,
        gt=0,
        le=60,
        description="Time limit for connecting and for each SMSC answer; a one-time code waits at most this long in the request.",
    )
    receipt_listen_seconds: float = Field(
        3.0,
        gt=0,
        le=50,
        description="How long the delivery-report job stays bound to collect deliver_sm receipts each minute.",
    )


class AliyunSettings(_Strict):
    """[sms.aliyun]: Alibaba Cloud SMS (dysmsapi SendSms / QuerySendDetails)."""

    access_key_id: str = Field(
        "",
        description="The RAM user's AccessKey ID. Required. The AccessKey secret is a secret: `aliyun_access_key_secret` under [sms.<tenant>] in the secrets file.",
    )
    endpoint: str = Field(
        ALIYUN_ENDPOINT, description="API endpoint. The default is Alibaba Cloud's; tests use a local stand-in."
    )
    region_id: str = Field("cn-hangzhou", description="RegionId sent with each call.")
    templates: dict[str, str] = Field(
        default_factory=dict,
        description='Template code per message kind, e.g. {signup = "SMS_123", reset = "SMS_124", workorder = "SMS_125"}; `default` is used for kinds not listed. Templates receive the message\'s values (code, minutes, number, state).',
    )
    timeout_seconds: float = Field(5.0, gt=0, le=60, description="Time limit for one API call.")

    @field_validator("endpoint")
    @classmethod
    def _endpoint(cls, value: str) -> str:
        if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value):
            raise ValueError("the endpoint must be an http(s) URL without query, e.g. https://dysmsapi.aliyuncs.com/")
        return value if value.endswith("/") else value + "/"


class TencentSettings(_Strict):
    """[sms.tencent]: Tencent Cloud SMS (API 2021-01-11, SendSms / PullSmsSendStatus, TC3-HMAC-SHA256)."""

    secret_id: str = Field(
        "",
        description="The SecretId of the API key. Required. The SecretKey is a secret: `tencent_secret_key` under [sms.<tenant>] in the secrets file.",
    )
    sdk_app_id: str = Field("", description="The SMS application's SdkAppId (e.g. 1400000000). Required.")
    endpoint: str = Field(
        "https://sms.tencentcloudapi.com/",
        description="API endpoint. The default is Tencent Cloud's; tests use a local stand-in.",
    )
    region: str = Field("ap-guangzhou", description="X-TC-Region sent with each call.")
    templates: dict[str, str] = Field(
        default_factory=dict,
        description='Template id per message kind, e.g. {signup = "1234567", reset = "1234568"}; `default` for kinds not listed.',
    )
    template_params: dict[str, list[str]] = Field(
        default_factory=lambda: {"default": ["code", "minutes"], "workorder": ["number", "state"]},
        description="Tencent templates take their values by position ({1}, {2}, …): which of the message's values go in, in order, per kind (`default` for kinds not listed).",
    )
    timeout_seconds: float = Field(5.0, gt=0, le=60, description="Time limit for one API call.")

    @field_validator("endpoint")
    @classmethod
    def _endpoint(cls, value: str) -> str:
        if not re.fullmatch(r"https?://[^\s/?#]+/?", value):
            raise ValueError("the endpoint is an http(s) URL of a host, e.g. https://sms.tencentcloudapi.com/")
        return value if value.endswith("/") else value + "/"


class SmsSection(_Strict):
    """How the tenant sends SMS (docs/sms.md)."""

    provider: str = Field(
        "demo",
        description="`demo` (the message table only, read on the console's Messages page), `smpp` (the operator's SMSC, [sms.smpp]), `aliyun` (Alibaba Cloud SMS, [sms.aliyun]), `tencent` (Tencent Cloud SMS, [sms.tencent]), or a provider an installed plugin offers (make_sms_channel hook). A production tenant may not use `demo`.",
    )
    signature: str = Field(
        "",
        max_length=12,
        description="Signature put in front of every SMS as 【signature】 (the name registered with the carrier / cloud; empty: the tenant's name). For aliyun it is the SignName.",
    )
    max_attempts: int = Field(
        6,
        ge=1,
        le=20,
        description="Sending attempts before a message is marked failed (transient faults only: a refusal fails at once).",
    )
    retry_seconds: int = Field(
        30,
        ge=1,
        le=3600,
        description="Wait before the first retry; doubled for each further attempt (with jitter), at most an hour.",
    )
    per_destination_per_hour: int = Field(
        10,
        ge=1,
        le=1000,
        description="SMS to one phone number per clock hour; more fail as `rate limited` (guards against SMS bombing).",
    )
    per_tenant_per_minute: int = Field(
        300,
        ge=1,
        le=100000,
        description="SMS of this tenant per minute (the SMSC's or cloud account's throughput); more wait for the next minute.",
    )
    smpp: SmppSettings | None = Field(None, description="[sms.smpp] settings, see below.")
    aliyun: AliyunSettings | None = Field(None, description="[sms.aliyun] settings, see below.")
    tencent: TencentSettings | None = Field(None, description="[sms.tencent] settings, see below.")

    @field_validator("provider")
    @classmethod
    def _provider(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z][a-z0-9_-]{1,31}", value):
            raise ValueError("a provider name is lower-case letters, digits, - or _ (demo, smpp, aliyun, tencent)")
        return value

    @field_validator("signature")
    @classmethod
    def _signature(cls, value: str) -> str:
        if any(ch in value for ch in "【】[]"):
            raise ValueError("write the signature without brackets: 江南电信, not 【江南电信】")
        return value.strip()


Environment = Literal["development", "production"]
