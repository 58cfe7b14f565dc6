"""Long distance on/off: the request goes to the BSS through the outbox; the line says "being switched on" until the
BSS's line shows it, then "on"."""

from __future__ import annotations

import dataclasses

from product_support import MOBILE

from core.api.legacy import OutboxEvent
from plugins.phone.tables import FeatureRequest


def test_switch_long_distance_on_pending_until_the_bss_confirms(world):
    c = world.harness.client("alpha")
    c.login_customer(MOBILE)
    page = c.get("/phone/lines")
    assert page.status_code == 200 and f'data-number="{MOBILE}"' in page.text
    assert "switch-long_distance" in page.text
    r = c.post(f"/phone/lines/{MOBILE}", {"feature": "long_distance", "wanted": "on"})
    assert r.status_code == 303
    page = c.get("/phone/lines")
    assert "正在开通" in page.text and "switch-long_distance" not in page.text
    event = world.run(lambda: OutboxEvent.select().where(OutboxEvent.kind == "line.features.requested").first())
    assert event["payload"]["number"] == MOBILE and event["payload"]["wanted"] is True
    conn = world.connector()
    conn.lines[MOBILE] = dataclasses.replace(conn.lines[MOBILE], long_distance=True)  # the BSS did it
    page = c.get("/phone/lines")
    assert "正在开通" not in page.text and "已开通" in page.text
    assert world.run(lambda: FeatureRequest.select().first())["state"] == "confirmed"


def test_only_the_customers_own_lines(world):
    c = world.harness.client("alpha")
    c.login_customer(MOBILE)
    assert c.post("/phone/lines/13900000009", {"feature": "long_distance", "wanted": "on"}).status_code == 404
    assert c.post(f"/phone/lines/{MOBILE}", {"feature": "roaming", "wanted": "on"}).status_code == 404
