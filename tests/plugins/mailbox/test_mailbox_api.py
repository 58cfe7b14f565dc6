"""A mailbox application through the public API (TMF622) with an app's customer token: the page's checks as TMF 400
bodies, then the same application as the page's (one per externalId), waiting for the operator's approval."""

from __future__ import annotations

import sys
from pathlib import Path

from mailbox_support import MOBILE, PASSWORD, approve, world  # noqa: F401  (the fixture)

from core.api.products import ProductOrder

sys.path.insert(0, str(Path(__file__).parents[2] / "api"))
from app_client import API, add_item, app_http  # noqa: E402


def test_an_app_applies_for_a_mailbox(world):  # noqa: F811
    http, auth = app_http(world.harness, MOBILE)
    chars = {"number": MOBILE, "password": PASSWORD, "password2": PASSWORD}
    bad = http.post(f"{API}/productOrder", headers=auth, json=add_item("mail-1g", "a1", local_part="ab", **chars))
    assert bad.status_code == 400 and "local_part:" in bad.json()["message"], bad.text
    body = add_item("mail-1g", "a2", local_part="zhang.san", **chars)
    r = http.post(f"{API}/productOrder", headers=auth, json=body)
    assert r.status_code == 201, r.text
    assert r.json()["productOrderItem"][0]["productOffering"]["id"] == "mail-1g"
    assert http.post(f"{API}/productOrder", headers=auth, json=body).json()["id"] == r.json()["id"]
    assert world.run(lambda: ProductOrder.count()) == 1
    approve(world, int(r.json()["id"]))
    assert http.get(f"{API}/productOrder/{r.json()['id']}", headers=auth).json()["state"] in {"inProgress", "completed"}
