"""Long distance on/off through the public API (TMF641 serviceOrder) with an app's customer token: the same request
as the lines page (the outbox to the BSS), inProgress until the BSS's line shows it, then completed."""

from __future__ import annotations

import dataclasses

from product_support import MOBILE
from test_phone_api import API, app

from core.api.legacy import OutboxEvent


def switch(number: str, name: str = "longDistance", value="on", action: str = "modify") -> dict:
    service = {"id": number, "serviceCharacteristic": [{"name": name, "value": value}]}
    return {"serviceOrderItem": [{"action": action, "service": service}]}


def test_long_distance_on_is_in_progress_until_the_bss_confirms(world):
    http, auth = app(world)
    r = http.post(f"{API}/serviceOrder", headers=auth, json=switch(MOBILE))
    assert r.status_code == 201, r.text
    order = r.json()
    assert order["state"] == "inProgress" and order["@type"] == "ServiceOrder"
    item = order["serviceOrderItem"][0]
    assert item["service"] == {"id": MOBILE, "serviceCharacteristic": [{"name": "longDistance", "value": "on"}]}
    event = world.run(lambda: OutboxEvent.select().where(OutboxEvent.kind == "line.features.requested").first())
    assert event["payload"]["number"] == MOBILE and event["payload"]["feature"] == "long_distance"
    assert event["payload"]["wanted"] is True
    page = world.harness.client("alpha")
    page.login_customer(MOBILE)
    assert "正在开通" in page.get("/phone/lines").text  # the web page shows the same pending request
    assert http.get(f"{API}/serviceOrder/{order['id']}", headers=auth).json()["state"] == "inProgress"
    conn = world.connector()
    conn.lines[MOBILE] = dataclasses.replace(conn.lines[MOBILE], long_distance=True)  # the BSS did it
    done = http.get(f"{API}/serviceOrder/{order['id']}", headers=auth).json()
    assert done["state"] == "completed" and done["completionDate"], done


def test_bad_items_are_400_and_other_numbers_404(world):
    http, auth = app(world)
    for body in (switch(MOBILE, name="roaming"), switch(MOBILE, value="maybe"), switch(MOBILE, action="add")):
        r = http.post(f"{API}/serviceOrder", headers=auth, json=body)
        assert r.status_code == 400 and set(r.json()) == {"code", "reason", "message", "status"}, r.text
    r = http.post(f"{API}/serviceOrder", headers=auth, json=switch("13900000009", name="international", value=False))
    assert r.status_code == 404, r.text
    assert http.get(f"{API}/serviceOrder/999", headers=auth).status_code == 404
    off = http.post(f"{API}/serviceOrder", headers=auth, json=switch(MOBILE, name="international", value=False))
    assert off.status_code == 201 and off.json()["serviceOrderItem"][0]["service"]["serviceCharacteristic"] == [
        {"name": "international", "value": "off"}
    ]
    assert http.get(f"{API}/serviceOrder/{off.json()['id']}", headers=auth).status_code == 200
