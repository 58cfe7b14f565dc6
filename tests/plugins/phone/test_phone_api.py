"""The line's service orders through the public API (TMF622), with an app's customer token (PKCE): the same checks as
the web page (field errors as TMF 400 bodies), the same orders; a retry with the same externalId is the same order."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from product_support import MOBILE

from core.api.products import ProductOrder
from core.api.testing import add_operator
from core.tmf import hub

sys.path.insert(0, str(Path(__file__).parents[2] / "api"))
from api_support import REDIRECT, register_client, sign_in  # noqa: E402
from test_line_services import finish, line  # noqa: E402

API = "/api/tmf/v4"


def app(world):
    harness = world.harness
    add_operator(harness, "alpha", "alpha-admin", permissions=["core.api.clients"])
    console = harness.client("alpha")
    console.login_operator("alpha-admin")
    client = register_client(console, "app", ["customer.read", "customer.write", "catalog.read"], REDIRECT)
    token = sign_in(harness, "alpha", MOBILE, client["client_id"])
    http, auth = harness.client("alpha").http, {"Authorization": f"Bearer {token}"}
    lines = http.get(f"{API}/product", headers=auth).json()  # the synced line, mirrored as the pages do
    assert any(p["serviceNumber"] == MOBILE for p in lines), lines
    return http, auth


def listen(world):
    """A partner listening to ProductOrderStateChangeEvent (registered through the console and the API's hub)."""
    console = world.harness.client("alpha")
    console.login_operator("alpha-admin")
    partner = register_client(console, "partner", ["catalog.read", "events"])
    http = world.harness.client("alpha").http
    token = http.post(
        "/api/oauth/token", data={"grant_type": "client_credentials"}, auth=(partner["client_id"], partner["secret"])
    ).json()["access_token"]
    body = {"callback": "https://partner.example.com/ev", "query": "eventType=ProductOrderStateChangeEvent"}
    assert http.post(f"{API}/hub", headers={"Authorization": f"Bearer {token}"}, json=body).status_code == 201


def order_events(world, monkeypatch) -> list[dict]:
    """Deliver the hub's due events; the productOrder of each."""
    received = []

    async def fake_send(url, body, headers):
        received.append(json.loads(body))
        return 200

    monkeypatch.setattr(hub, "send", fake_send)
    world.run(hub.deliver_due, world.harness.hall, "alpha")
    assert {e["eventType"] for e in received} == {"ProductOrderStateChangeEvent"}
    return [e["event"]["productOrder"] for e in received]


def order(offering: str | None, product: int, action: str = "add", external: str = "x", **chars) -> dict:
    item = {"action": action, "product": {"id": str(product)}}
    if offering:
        item["productOffering"] = {"id": offering}
    item["productCharacteristic"] = [{"name": k, "value": v} for k, v in chars.items()]
    return {"externalId": external, "productOrderItem": [item]}


def test_suspend_resume_and_terminate_through_the_api(world, monkeypatch):
    http, auth = app(world)
    listen(world)
    pk = line(world)["id"]
    bad = http.post(f"{API}/productOrder", headers=auth, json=order("phone-suspend", pk, date="2026-03-13"))
    assert bad.status_code == 400, bad.text
    assert set(bad.json()) == {"code", "reason", "message", "status"} and "reason:" in bad.json()["message"]
    assert "date:" in bad.json()["message"]
    body = order("phone-suspend", pk, external="s1", reason="出国", date="2026-03-14")
    r = http.post(f"{API}/productOrder", headers=auth, json=body)
    assert r.status_code == 201, r.text
    item = r.json()["productOrderItem"][0]
    # asked as an add of the service offering; carried out, and answered, as a modify of the line itself
    assert r.json()["state"] == "acknowledged" and item["action"] == "modify", item
    assert item["product"]["id"] == str(pk) and item["productOffering"]["id"] == line(world)["offering_code"], item
    assert http.post(f"{API}/productOrder", headers=auth, json=body).json()["id"] == r.json()["id"]
    placed = world.run(lambda: ProductOrder.select().where(ProductOrder.id == int(r.json()["id"])).first())
    assert placed["process"] == "phone.suspend"
    assert finish(world, placed["id"], ["review"])["state"] == "completed"
    assert line(world)["state"] == "suspended"
    again = http.post(
        f"{API}/productOrder",
        headers=auth,
        json=order("phone-suspend", pk, external="s2", reason="x", date="2026-03-20"),
    )
    assert again.status_code == 409 and again.json()["code"] == "not_offered"  # suspended already: as the page offers
    resumed = http.post(f"{API}/productOrder", headers=auth, json=order("phone-resume", pk, external="r1"))
    assert resumed.status_code == 201, resumed.text
    placed = world.run(lambda: ProductOrder.select().where(ProductOrder.id == int(resumed.json()["id"])).first())
    assert finish(world, placed["id"], ["review"])["state"] == "completed" and line(world)["state"] == "active"
    told = order_events(world, monkeypatch)
    assert {(e["externalId"], e["state"]) for e in told} >= {(placed["number"], "completed")}
    ended = http.post(f"{API}/productOrder", headers=auth, json=order(None, pk, action="delete", external="t1"))
    assert ended.status_code == 201, ended.text
    assert ended.json()["productOrderItem"][0]["action"] == "delete"


def test_a_move_checks_the_area_and_unknown_references_are_404(world):
    http, auth = app(world)
    pk = line(world)["id"]
    place = {
        "province": "浙江省",
        "city": "杭州市",
        "district": "滨江区",
        "street": "江南大道 1 号",
        "date": "2026-03-16",
        "slot": "09:00-12:00",
    }
    bad = http.post(f"{API}/productOrder", headers=auth, json=order("phone-move", pk, external="m1", **place))
    assert bad.status_code == 400 and "district:" in bad.json()["message"], bad.text
    ok = http.post(
        f"{API}/productOrder",
        headers=auth,
        json=order("phone-move", pk, external="m2", **{**place, "district": "西湖区"}),
    )
    assert ok.status_code == 201, ok.text
    assert http.post(f"{API}/productOrder", headers=auth, json=order("phone-move", 99999)).status_code == 404
    assert http.post(f"{API}/productOrder", headers=auth, json=order("nope", pk)).status_code == 404
