"""The whole loop against a real FreeRADIUS: a customer opens an account and pays; the server accepts the account,
and rejects it after a password change (old password), a lock, the expiry and the hours running out; accounting
Start/Interim/Stop shows on the usage page with its durations and bytes."""

from __future__ import annotations

import datetime as dt
import re

from dialup_support import PHONE, paid, radclient_login

from core.products.tables import ProductOrder
from plugins.dialup.tables import DialupAccount

UTC = dt.timezone.utc
PASSWORD = "Dial2026x"


def customer(harness):
    c = harness.client("alpha")
    c.login_customer(PHONE)
    return c


def open_and_pay(harness, pay, username="alice01", offering="dialup.h20", amount=2000):
    c = customer(harness)
    page = c.get("/dialup/open")
    assert page.status_code == 200, page.text[:500]
    token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)
    r = c.post(
        "/dialup/open",
        {"username": username, "password": PASSWORD, "password_again": PASSWORD, "offering": offering, "token": token},
    )
    assert r.status_code == 303, r.text[:2000]
    order = harness.in_tenant("alpha", lambda: ProductOrder.select().order_by(ProductOrder.id, ascending=False).first())
    assert (order["state"], order["amount_fen"]) == ("pending", amount)
    paid(harness, pay, order["payment_intent"], amount)
    page = c.get(f"/dialup/a/{username}")  # the account page runs the provisioning step at once
    assert page.status_code == 200
    return c, page


def account(harness, username="alice01"):
    return harness.in_tenant("alpha", lambda: DialupAccount.select().where(DialupAccount.username == username).first())


def test_a_paid_account_dials_in_and_a_changed_password_locks_the_old_one_out(world, nas, radius_server):
    harness, pay, _ = world
    assert account(harness) is None
    c, page = open_and_pay(harness, pay)
    row = account(harness)
    assert row["state"] == "active" and row["seconds_total"] == 20 * 3600
    assert PASSWORD not in row["password_hash"]
    assert "state-open" in page.text
    assert nas.login("alice01", PASSWORD)
    assert not nas.login("alice01", "wrong-password1")
    assert radclient_login(radius_server, "alice01", PASSWORD) == "accept"

    r = c.post(
        "/dialup/a/alice01/password",
        {"password_old": PASSWORD, "password_new": "NewPass2026", "password_again": "NewPass2026"},
    )
    assert r.status_code == 303
    assert not nas.login("alice01", PASSWORD)
    assert nas.login("alice01", "NewPass2026")
    assert radclient_login(radius_server, "alice01", PASSWORD) == "reject"
