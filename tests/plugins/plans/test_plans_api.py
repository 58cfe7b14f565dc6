"""The plan change through the public API (TMF622): an app's customer orders a plan for a line; a retry with the same
externalId is the same order; another customer's line does not exist for them."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from product_support import MOBILE

from core.api.testing import add_operator

sys.path.insert(0, str(Path(__file__).parents[2] / "api"))
from api_support import REDIRECT, register_client, sign_in  # noqa: E402

API = "/api/tmf/v4"
UTC = dt.timezone.utc


def test_an_app_orders_a_plan_change(world, clock):
    clock.set(dt.datetime(2026, 6, 30, 16, 30, tzinfo=UTC))
    harness = world.harness
    add_operator(harness, "alpha", "alpha-admin", permissions=["core.api.clients"])
    console = harness.client("alpha")
    console.login_operator("alpha-admin")
    app = register_client(console, "app", ["customer.read", "customer.write", "catalog.read"], REDIRECT)
    token = sign_in(harness, "alpha", MOBILE, app["client_id"])
    http = harness.client("alpha").http
    auth = {"Authorization": f"Bearer {token}"}
    products = http.get(f"{API}/product", headers=auth).json()
    line = next(p for p in products if p["serviceNumber"] == MOBILE)
    offerings = {o["id"] for o in http.get(f"{API}/productOffering", headers=auth, params={"limit": 100}).json()}
    assert "m88" in offerings
    body = {
        "externalId": "app-0001",
        "productOrderItem": [{"action": "modify", "product": {"id": line["id"]}, "productOffering": {"id": "m88"}}],
    }
    r = http.post(f"{API}/productOrder", headers=auth, json=body)
    assert r.status_code == 201, r.text
    assert r.json()["state"] == "acknowledged" and r.json()["productOrderItem"][0]["action"] == "modify"
    again = http.post(f"{API}/productOrder", headers=auth, json=body)
    assert again.json()["id"] == r.json()["id"]
    assert http.get(f"{API}/productOrder", headers=auth).headers["X-Total-Count"] == "1"
    missing = http.post(
        f"{API}/productOrder",
        headers=auth,
        json={**body, "productOrderItem": [{**body["productOrderItem"][0], "product": {"id": "999999"}}]},
    )
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
