"""Shared pieces of the SMS tests: the tenant specs and the stand-ins' credentials."""

from __future__ import annotations

from core.testing import TenantSpec
from core.testing.aliyun_sms import StandInAliyunSms
from core.testing.smsc import StandInSmsc

SIGNATURE = "江南电信"
ALIYUN_KEY_ID = "LTAI5tTESTKEY000001"
ALIYUN_SECRET = "test-secret-0123456789"
TEMPLATES = {"signup": "SMS_100001", "reset": "SMS_100002", "workorder": "SMS_100003"}


def smpp_spec(smsc: StandInSmsc, **sms) -> TenantSpec:
    smpp = {
        "host": "127.0.0.1",
        "port": smsc.port,
        "system_id": "hall",
        "source_addr": "1065900010000",
        "receipt_listen_seconds": 0.5,
        **sms.pop("smpp", {}),
    }
    return TenantSpec(
        "alpha", sms={"provider": "smpp", "signature": SIGNATURE, "retry_seconds": 30, **sms, "smpp": smpp}
    )


def aliyun_spec(api: StandInAliyunSms, **sms) -> TenantSpec:
    aliyun = {"access_key_id": ALIYUN_KEY_ID, "endpoint": api.endpoint, "templates": TEMPLATES, **sms.pop("aliyun", {})}
    return TenantSpec("alpha", sms={"provider": "aliyun", "signature": SIGNATURE, **sms, "aliyun": aliyun})


TENCENT_ID, TENCENT_KEY, TENCENT_APP = "AKIDTEST000001", "tencent-secret-key", "1400000001"


def tencent_spec(endpoint: str, **sms) -> TenantSpec:
    tencent = {
        "secret_id": TENCENT_ID,
        "sdk_app_id": TENCENT_APP,
        "endpoint": endpoint,
        "templates": {"signup": "1000001", "reset": "1000002", "workorder": "1000003"},
        **sms.pop("tencent", {}),
    }
    return TenantSpec("alpha", sms={"provider": "tencent", "signature": SIGNATURE, **sms, "tencent": tencent})
