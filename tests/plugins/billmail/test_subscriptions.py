"""Subscribing a linked number, refusing others' numbers, and the unsubscribe link that works without logging in."""

from __future__ import annotations

from core.api.testing import field_errors, make_customer, register_customer
from billmail_support import login
from plugins.billmail.tables import Subscription
from plugins.billmail.tokens import make_token


def subscription(harness, tid, number):
    return harness.in_tenant(tid, lambda: Subscription.select().where(Subscription.number == number).first())


def test_subscribe_and_unsubscribe_on_the_customer_page(world):
    harness, people = world
    me = people["alpha"]
    client = login(harness, "alpha", me["number"])
    page = client.get("/billmail/")
    assert page.status_code == 200 and me["number"] in page.text and "订阅" in page.text
    assert client.post("/billmail/subscribe", {"number": me["number"]}).status_code == 303
    row = subscription(harness, "alpha", me["number"])
    assert row["active"] and row["email"] == me["email"] and row["language"] == "zh_CN"
    assert "已开通" in client.get("/billmail/?saved=on").text
    assert client.post("/billmail/stop", {"number": me["number"]}).status_code == 303
    assert subscription(harness, "alpha", me["number"])["active"] is False
    assert (
        client.post("/billmail/subscribe", {"number": me["number"]}).status_code == 303
    )  # again: same row, active again
    again = subscription(harness, "alpha", me["number"])
    assert again["active"] and again["id"] == row["id"]


def test_another_customers_number_is_404(world):
    harness, people = world
    other = make_customer(90, email="other-billmail@example.com")
    register_customer(harness, "alpha", other)
    client = login(harness, "alpha", people["alpha"]["number"])
    for path in ("/billmail/subscribe", "/billmail/stop"):
        assert client.post(path, {"number": other.numbers[0].number}).status_code == 404
        assert client.post(path, {"number": people["beta"]["number"]}).status_code == 404
    assert subscription(harness, "alpha", other.numbers[0].number) is None
    assert client.post("/billmail/subscribe", {}).status_code == 404


def test_no_address_on_file_is_a_field_error(world):
    harness, _people = world
    bare = make_customer(91, email=None)
    register_customer(harness, "alpha", bare)
    client = login(harness, "alpha", bare.numbers[0].number)
    response = client.post("/billmail/subscribe", {"number": bare.numbers[0].number})
    assert response.status_code == 400
    assert field_errors(response.text) == ["您还没有登记电子邮箱。请先到营业厅或拨打客服热线登记。"]
    assert subscription(harness, "alpha", bare.numbers[0].number) is None


def test_unsubscribe_link_confirms_on_get_and_unsubscribes_on_one_click_post(world):
    harness, people = world
    me = people["alpha"]
    login(harness, "alpha", me["number"]).post("/billmail/subscribe", {"number": me["number"]})
    sub = subscription(harness, "alpha", me["number"])
    token = make_token(harness.hall.secret, "alpha", sub["id"])
    visitor = harness.client("alpha")  # not logged in
    page = visitor.get(f"/billmail/unsubscribe/{token}")
    assert page.status_code == 200 and "退订" in page.text and me["number"] not in page.text  # number shown masked
    assert subscription(harness, "alpha", me["number"])["active"]  # a GET (a prefetching mail client) changes nothing
    forged = f"{sub['id']}.{'0' * 32}"
    assert visitor.get(f"/billmail/unsubscribe/{forged}").status_code == 404
    assert visitor.post(f"/billmail/unsubscribe/{forged}", {}, csrf=False).status_code == 404
    beta = harness.client("beta")  # the same token on another tenant: its signature names alpha
    assert beta.get(f"/billmail/unsubscribe/{token}").status_code == 404
    # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click", no cookie, no CSRF token
    response = visitor.post(f"/billmail/unsubscribe/{token}", {"List-Unsubscribe": "One-Click"}, csrf=False)
    assert response.status_code == 200
    assert subscription(harness, "alpha", me["number"])["active"] is False
    assert visitor.post(f"/billmail/unsubscribe/{token}", {}, csrf=False).status_code == 200  # twice: still fine
