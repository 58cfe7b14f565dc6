"""Halls whose tenant sends SMS through the stand-in SMSC (SMPP) or the stand-in Alibaba Cloud SMS API."""

from __future__ import annotations

import pytest
from sms_support import ALIYUN_KEY_ID, ALIYUN_SECRET, SIGNATURE, aliyun_spec, smpp_spec

from core.testing.aliyun_sms import StandInAliyunSms
from core.testing.smsc import StandInSmsc


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
