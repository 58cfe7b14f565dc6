"""Renewing a dial-up account from an app (``POST /dialupRenewal``, a TMF676 payment), paid through the Alipay sandbox
with the real SDK both ways: the same renewal as the account page, the expiry moved exactly once however often the
app retries or Alipay notifies, RADIUS told by the job."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest
from dialup_support import PHONE, settings

from core.api.testing import TenantSpec, make_customer, register_customer
from plugins.dialup.jobs import enforce
from plugins.dialup.tables import DialupAccount, DialupRenewal

sys.path.insert(0, str(Path(__file__).parents[2] / "api"))
sys.path.insert(0, str(Path(__file__).parents[1] / "alipay"))
from alipay_support import APP_ID, alipay_tenant_settings, customer_decides, start_sandbox, write_secrets  # noqa: E402
from app_client import API, add_item, app_http  # noqa: E402

GOOD = "Dial2026x"


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    running = start_sandbox(tmp_path_factory.mktemp("sandbox"))
    yield running
    running.stop()


@pytest.fixture
def alipay_world(hall_factory, radius_dsn, sandbox):
    harness = hall_factory(
        [
            TenantSpec(
                "alpha",
                plugins=["dialup"],
                payments={"providers": ["alipay"]},
                plugin_settings={"dialup": settings(radius_dsn), **alipay_tenant_settings(sandbox.gateway)},
            )
        ]
    )
    write_secrets(harness.hall.settings.config_file, "alpha")
    register_customer(harness, "alpha", make_customer(1, numbers=(PHONE,), phone=PHONE))
    return harness


def pay_at_alipay(http, sandbox, payment: dict) -> dict:
    """The app opens checkoutUrl; the customer pays on the sandbox's page; Alipay's signed notification reaches the
    hall (the sandbox cannot reach the test host, so the test hands it over). The notification form, for a retry."""
    to_gateway = http.get(payment["checkoutUrl"], follow_redirects=False)
    assert to_gateway.status_code == 303, to_gateway.text[:300]
    assert to_gateway.headers["location"].startswith(sandbox.gateway)
    status, _ = customer_decides(sandbox, to_gateway.headers["location"], "pay")
    assert status == 303
    [note] = sandbox.store.notifications(APP_ID, payment["id"])
    answer = http.post("/pay/notify/alipay", data=note["form"])
    assert (answer.status_code, answer.text) == (200, "success")
    return note["form"]


def account(harness) -> dict:
    return harness.in_tenant("alpha", lambda: DialupAccount.select().where(DialupAccount.username == "bob2026").first())


def test_an_app_renews_a_dial_up_account_and_the_expiry_moves_once(alipay_world, sandbox):
    harness = alipay_world
    http, auth = app_http(harness, PHONE)
    opened = http.post(
        f"{API}/productOrder",
        headers=auth,
        json=add_item("dialup.h20", "open-1", username="bob2026", password=GOOD, password_again=GOOD),
    )
    assert opened.status_code == 201, opened.text
    pay_at_alipay(http, sandbox, opened.json()["payment"][0])
    harness.run(enforce(harness.hall, "alpha"))  # the job provisions the paid opening into RADIUS
    before = account(harness)
    assert before["state"] == "active" and before["expires_at"], before
    order = http.get(f"{API}/productOrder/{opened.json()['id']}", headers=auth).json()
    assert order["state"] == "completed", order
    product = http.get(f"{API}/product/{order['productOrderItem'][0]['product']['id']}", headers=auth).json()
    assert product["productSpecification"] == {"id": "dialup"} and product["status"] == "active", product
    listed = http.get(f"{API}/product", headers=auth).json()  # as My products shows it: the account has no number
    assert product["id"] in [p["id"] for p in listed], listed

    body = {"product": {"id": product["id"]}, "externalId": "renew-2026-1"}
    r = http.post(f"{API}/dialupRenewal", headers=auth, json=body)
    assert r.status_code == 201, r.text
    payment = r.json()
    assert payment["@type"] == "Payment" and payment["status"] == "created" and payment["purpose"] == "dialup_renewal"
    assert payment["totalAmount"] == {"unit": "CNY", "value": 20.0} and payment["checkoutUrl"].startswith("http")
    assert http.post(f"{API}/dialupRenewal", headers=auth, json=body).json()["id"] == payment["id"]  # a retry
    assert account(harness)["expires_at"] == before["expires_at"]  # nothing until it is paid

    form = pay_at_alipay(http, sandbox, payment)
    assert http.get(f"{API}/payment/{payment['id']}", headers=auth).json()["status"] == "succeeded"
    after = account(harness)
    assert after["expires_at"] - before["expires_at"] == dt.timedelta(days=31)
    assert after["seconds_total"] == before["seconds_total"] + 20 * 3600
    assert http.post("/pay/notify/alipay", data=form).text == "success"  # Alipay notifies again
    again = http.post(f"{API}/dialupRenewal", headers=auth, json=body)  # the app retries after paying
    assert again.status_code == 201 and again.json()["id"] == payment["id"] and "checkoutUrl" not in again.json()
    assert account(harness)["expires_at"] == after["expires_at"]  # moved exactly once
    renewals = harness.in_tenant("alpha", lambda: DialupRenewal.select())
    assert [(x["intent_id"], x["state"]) for x in renewals] == [(payment["id"], "paid")]
    harness.run(enforce(harness.hall, "alpha"))  # RADIUS hears of it under the payment's key
    assert harness.in_tenant("alpha", lambda: DialupRenewal.select().first())["state"] == "applied"


def test_renewal_refusals_are_tmf_errors(alipay_world):
    harness = alipay_world
    http, auth = app_http(harness, PHONE)
    for ident in ("999999", "abc", "0"):
        r = http.post(f"{API}/dialupRenewal", headers=auth, json={"product": {"id": ident}})
        assert r.status_code == 404 and set(r.json()) == {"code", "reason", "message", "status"}, r.text
    assert http.post(f"{API}/dialupRenewal", headers=auth, json={"nope": 1}).status_code == 400
    assert http.post(f"{API}/dialupRenewal", json={"product": {"id": "1"}}).status_code == 401
