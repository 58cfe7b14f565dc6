"""Halls whose tenant sends SMS through the stand-in SMSC (SMPP) or the stand-in Alibaba Cloud SMS API."""

from __future__ import annotations

import pytest

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


@pytest.fixture
def smsc():
    centre = StandInSmsc(accounts={"hall": "smpp-pw1"}).start()
    yield centre
    centre.stop()


@pytest.fixture
def aliyun_api():
    api = StandInAliyunSms(keys={ALIYUN_KEY_ID: ALIYUN_SECRET}, sign_names={SIGNATURE}).start()
    yield api
    api.stop()


@pytest.fixture
def smpp_hall(hall_factory, smsc, monkeypatch):
    """``smpp_hall(**sms)``: tenant alpha on the stand-in SMSC; [sms] keys override the defaults."""
    monkeypatch.setenv("HALL_TENANT_ALPHA_SMS_SECRET__SMPP_PASSWORD", "smpp-pw1")
    return lambda **sms: hall_factory(tenants=[smpp_spec(smsc, **sms)])


@pytest.fixture
def aliyun_hall(hall_factory, aliyun_api, monkeypatch):
    monkeypatch.setenv("HALL_TENANT_ALPHA_SMS_SECRET__ALIYUN_ACCESS_KEY_SECRET", ALIYUN_SECRET)
    return lambda **sms: hall_factory(tenants=[aliyun_spec(aliyun_api, **sms)])
