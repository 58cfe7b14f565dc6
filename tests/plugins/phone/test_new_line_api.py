"""A new line through the public API with an app's customer token: search the pool, hold a number (the same DB
rules as the page: a number someone else holds is 409), then the installation as a productOrder ``add`` of a line
plan, with field errors as TMF 400 bodies and the payment step's checkoutUrl."""

from __future__ import annotations

from test_phone_api import API, app

from core.api.products import ProductOrder
from plugins.phone.tables import NumberHold

PLACE = {
    "province": "浙江省",
    "city": "杭州市",
    "district": "西湖区",
    "street": "文三路 100 号",
    "date": "2026-03-16",
    "slot": "09:00-12:00",
}


def install(plan: str, external: str, **chars) -> dict:
    characteristics = [{"name": k, "value": v} for k, v in chars.items()]
    item = {"action": "add", "productOffering": {"id": plan}, "productCharacteristic": characteristics}
    return {"externalId": external, "productOrderItem": [item]}


def test_search_hold_and_install_through_the_api(world):
    http, auth = app(world)
    found = http.get(f"{API}/phoneNumber", headers=auth, params={"ends_with": "2222"})
    assert found.status_code == 200, found.text
    assert [n["id"] for n in found.json()] == ["13911112222"] and found.json()[0]["grade"] != "ordinary"
    assert http.get(f"{API}/phoneNumber", headers=auth, params={"contains": "x1"}).status_code == 400
    held = http.post(f"{API}/phoneNumberHold", headers=auth, json={"number": "13911112222"})
    assert held.status_code == 201 and held.json()["state"] == "held", held.text
    bad = http.post(f"{API}/productOrder", headers=auth, json=install("m88", "i1", **{**PLACE, "district": "滨江区"}))
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_characteristic", bad.text
    assert "plan:" in bad.json()["message"] and "district:" in bad.json()["message"]
    body = install("m128", "i2", number="13911112222", **PLACE)
    r = http.post(f"{API}/productOrder", headers=auth, json=body)
    assert r.status_code == 201, r.text
    assert r.json()["payment"][0]["checkoutUrl"] and r.json()["state"] == "pending"
    assert http.post(f"{API}/productOrder", headers=auth, json=body).json()["id"] == r.json()["id"]
    order = world.run(lambda: ProductOrder.select().where(ProductOrder.id == int(r.json()["id"])).first())
    assert order["process"] == "phone.install" and order["amount_fen"] == 2000 + 10000 + 50000
    hold = world.run(lambda: NumberHold.select().where(NumberHold.number == "13911112222").first())
    assert hold["state"] == "ordered" and hold["order_id"] == order["id"]


def test_a_number_someone_else_holds_is_409(world):
    http, auth = app(world)
    other = world.harness.client("alpha")
    other.login_customer("13900000009")
    other.post("/phone/numbers", {"number": "13911113333"})
    assert world.run(lambda: NumberHold.count().where(NumberHold.number == "13911113333")) == 1
    taken = http.post(f"{API}/phoneNumberHold", headers=auth, json={"number": "13911113333"})
    assert taken.status_code == 409 and taken.json()["code"] == "taken", taken.text
    assert "13911113333" not in [n["id"] for n in http.get(f"{API}/phoneNumber", headers=auth).json()]
    nothing = http.post(f"{API}/productOrder", headers=auth, json=install("m128", "i3", **PLACE))
    assert nothing.status_code == 400 and "number:" in nothing.json()["message"], nothing.text


def test_searches_share_the_pages_rate_limit(world):
    http, auth = app(world)
    page = world.harness.client("alpha")
    for _ in range(3):
        assert page.get("/phone/numbers").status_code == 200
    assert http.get(f"{API}/phoneNumber", headers=auth).status_code == 200
    assert http.get(f"{API}/phoneNumber", headers=auth).status_code == 200
    limited = http.get(f"{API}/phoneNumber", headers=auth)
    assert limited.status_code == 429 and limited.json()["code"] == "too_many", limited.text
