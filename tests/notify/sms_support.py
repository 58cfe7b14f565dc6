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
    smpp = {"host": "127.0.0.1", "port": smsc.port, "system_id": "hall", "source_addr": "1065900010000", "receipt_listen_seconds": 0.5,
            **sms.pop("smpp", {})}
    return TenantSpec("alpha", sms={"provider": "smpp", "signature": SIGNATURE, "retry_seconds": 30, **sms, "smpp": smpp})


def aliyun_spec(api: StandInAliyunSms, **sms) -> TenantSpec:
    aliyun = {"access_key_id": ALIYUN_KEY_ID, "endpoint": api.endpoint, "templates": TEMPLATES, **sms.pop("aliyun", {})}
    return TenantSpec("alpha", sms={"provider": "aliyun", "signature": SIGNATURE, **sms, "aliyun": aliyun})
