"""A visitor who picks a number is taken through real-name sign-up (service number, name, ID number, the code sent
to the contact on file) and comes back to that number, holds it and applies for the installation with it."""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

from test_selection_and_install import _form

from core.api.products import ProductOrder, ProductOrderItem
from core.testing import make_customer, sync

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "core"))

from identity_steps import flow_of, last_sms_code  # noqa: E402

NUMBER = "13911110168"


def sign_up(world, client, person, number: str, back: str):
    sent = client.post(
        "/signup",
        {"number": number, "name": person.name, "id_number": person.id_number, "channel": "sms", "next": back},
    )
    assert sent.status_code == 200, sent.text[:1000]
    code = last_sms_code(world.harness, "alpha", person.phone)
    password = "Visitor-2026-ok"
    return client.post(
        "/signup/verify", {"flow": flow_of(sent.text), "code": code, "password": password, "password_confirm": password}
    )


def test_a_visitor_signs_up_and_comes_back_to_the_number(world):
    newcomer = make_customer(3, numbers=("13900000077",))
    world.lines.connectors["alpha"].customers.append(newcomer)
    sync(world.harness, "alpha")
    v = world.harness.client("alpha")
    page = v.get("/phone/numbers", params={"grade": "C"})
    link = re.search(r'class="sign-up-to-hold" href="([^"]+)"', page.text)
    assert link and "hold-number" not in page.text  # a visitor may search, not hold
    signup = v.get(html.unescape(link.group(1)))
    assert signup.status_code == 200
    nexts = [html.unescape(n) for n in re.findall(r'name="next" value="([^"]*)"', signup.text)]
    back = next((n for n in nexts if NUMBER in n), "")
    assert back, nexts  # the form carries where to come back to
    done = sign_up(world, v, newcomer, "13900000077", back)
    assert done.status_code == 303 and urlsplit(done.headers["location"]).path.endswith("/phone/numbers")
    assert NUMBER in done.headers["location"]
    again = v.get(done.headers["location"])
    assert f'value="{NUMBER}"' in again.text and "hold-number" in again.text
    assert v.post("/phone/numbers", {"number": NUMBER}).status_code == 303
    r = v.post("/phone/apply", _form(plan="m58"))
    assert r.status_code == 303, r.text[:1500]
    order = world.run(lambda: ProductOrder.select().where(ProductOrder.customer_legacy_id == "C00003").first())
    item = world.run(lambda: ProductOrderItem.select().where(ProductOrderItem.order_id == order["id"]).first())
    assert item["number"] == NUMBER


def test_sign_up_leads_only_inside_the_tenant(world):
    stranger = make_customer(4, numbers=("13900000088",))
    world.lines.connectors["alpha"].customers.append(stranger)
    sync(world.harness, "alpha")
    done = sign_up(world, world.harness.client("alpha"), stranger, "13900000088", "https://evil.example/")
    assert done.status_code == 303 and "evil.example" not in done.headers["location"]
