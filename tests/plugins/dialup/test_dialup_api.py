"""Opening a dial-up account through the public API (TMF622) with an app's customer token: the page's checks as TMF
400 bodies, the order and its payment step (checkoutUrl), paid through the sandbox like the page's."""

from __future__ import annotations

import sys
from pathlib import Path

from dialup_support import PHONE, paid

from core.products.tables import ProductOrder

sys.path.insert(0, str(Path(__file__).parents[2] / "api"))
from app_client import API, add_item, app_http  # noqa: E402

GOOD = "Dial2026x"


def test_an_app_opens_an_account_and_pays(world):
    harness, pay, _ = world
    http, auth = app_http(harness, PHONE)
    bad = http.post(
        f"{API}/productOrder",
        headers=auth,
        json=add_item("dialup.h20", "o1", username="ab", password=GOOD, password_again="Other2026x"),
    )
    assert bad.status_code == 400, bad.text
    assert "username:" in bad.json()["message"] and "password_again:" in bad.json()["message"]
    body = add_item("dialup.h20", "o2", username="bob2026", password=GOOD, password_again=GOOD)
    r = http.post(f"{API}/productOrder", headers=auth, json=body)
    assert r.status_code == 201, r.text
    payment = r.json()["payment"][0]
    assert payment["status"] == "created" and payment["checkoutUrl"].startswith("http")
    assert http.post(f"{API}/productOrder", headers=auth, json=body).json()["id"] == r.json()["id"]
    order = harness.in_tenant(
        "alpha", lambda: ProductOrder.select().where(ProductOrder.id == int(r.json()["id"])).first()
    )
    assert order["payment_intent"] == payment["id"]
    paid(harness, pay, payment["id"], 2000)
    assert http.get(f"{API}/payment/{payment['id']}", headers=auth).json()["status"] == "succeeded"
    assert http.get(f"{API}/productOrder/{r.json()['id']}", headers=auth).json()["state"] != "acknowledged"
