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


def test_an_operator_locks_and_unlocks_an_account_audited(world, nas):
    from core.api.testing import add_operator
    from core.audit import AuditLog

    harness, pay, _ = world
    open_and_pay(harness, pay)
    add_operator(harness, "alpha", "wang", ["dialup.view", "dialup.lock"])
    op = harness.client("alpha")
    op.login_operator("wang")
    found = op.get("/dialup/console", params={"q": "alice"})
    assert found.status_code == 200 and 'data-username="alice01"' in found.text
    row = account(harness)
    page = op.get(f"/dialup/console/{row['id']}")
    token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)
    r = op.post(f"/dialup/console/{row['id']}/lock", {"token": token, "reason": "abuse report"})
    assert r.status_code == 303, r.text[:1000]
    assert account(harness)["locked"] and not nas.login("alice01", PASSWORD)
    assert "state-locked" in customer(harness).get("/dialup/a/alice01").text
    page = op.get(f"/dialup/console/{row['id']}")
    token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)
    assert op.post(f"/dialup/console/{row['id']}/unlock", {"token": token, "reason": "cleared"}).status_code == 303
    assert nas.login("alice01", PASSWORD)
    actions = harness.in_tenant("alpha", lambda: AuditLog.select(AuditLog.action).order_by(AuditLog.id))
    assert [a["action"] for a in actions if a["action"].startswith("dialup.")] == ["dialup.lock", "dialup.unlock"]
    viewer = harness.client("alpha")
    add_operator(harness, "alpha", "li", ["dialup.view"])
    viewer.login_operator("li")
    assert viewer.post(f"/dialup/console/{row['id']}/lock", {"token": "t", "reason": "x"}).status_code == 403


def test_an_expired_account_is_rejected_until_it_is_renewed(world, nas, monkeypatch):
    from plugins.dialup import clock

    harness, pay, _ = world
    past = dt.datetime.now(UTC) - dt.timedelta(days=40)
    monkeypatch.setattr(clock, "now", lambda: past)
    c, page = open_and_pay(harness, pay, offering="dialup.month", amount=5000)
    monkeypatch.undo()
    assert account(harness)["expires_at"] < dt.datetime.now(UTC)
    assert not nas.login("alice01", PASSWORD)
    assert "state-expired" in c.get("/dialup/a/alice01").text
    page = c.get("/dialup/a/alice01")
    token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)
    r = c.post("/dialup/a/alice01/renew", {"token": token})
    assert r.status_code == 303 and r.headers["location"].startswith("https://fakepay.test/")
    from plugins.dialup.tables import DialupRenewal

    renewal = harness.in_tenant("alpha", lambda: DialupRenewal.select().first())
    paid(harness, pay, renewal["intent_id"], 5000)
    page = c.get("/dialup/a/alice01")  # pushes the paid renewal to RADIUS
    assert "state-open" in page.text
    assert account(harness)["expires_at"] > dt.datetime.now(UTC) + dt.timedelta(days=30)
    assert nas.login("alice01", PASSWORD)


def test_accounting_shows_on_the_usage_page_and_used_up_hours_stop_the_account(world, nas):
    from plugins.dialup.jobs import enforce_tenant

    harness, pay, _ = world
    c, _ = open_and_pay(harness, pay)
    t0 = dt.datetime.now(UTC).replace(microsecond=0) + dt.timedelta(minutes=1)
    nas.account("alice01", "Start", "S1", when=t0, calling="057188889999")
    nas.account(
        "alice01",
        "Interim-Update",
        "S1",
        when=t0 + dt.timedelta(minutes=10),
        seconds=600,
        octets_in=300_000,
        octets_out=1_500_000,
        calling="057188889999",
    )
    nas.account(
        "alice01",
        "Stop",
        "S1",
        when=t0 + dt.timedelta(minutes=20),
        seconds=1200,
        octets_in=1_048_576,
        octets_out=5 * 1_048_576,
        calling="057188889999",
    )
    month = (t0 + dt.timedelta(hours=8)).strftime("%Y-%m")  # the tenant's zone is Asia/Shanghai
    page = c.get("/dialup/a/alice01/usage", params={"month": month})
    assert page.status_code == 200
    rows = re.findall(r'<tr class="session".*?</tr>', page.text, re.S)
    assert len(rows) == 1
    assert 'class="mono duration" data-label="时长">0:20:00<' in rows[0] or ">0:20:00<" in rows[0]
    assert "1.0 MB" in rows[0] and "5.0 MB" in rows[0] and "057188889999" in rows[0] and "10.1.0.1" in rows[0]
    local_start = (t0 + dt.timedelta(hours=8)).strftime("%Y-%m-%d %H:%M:%S")
    assert local_start in rows[0]  # shown in the tenant's zone
    csv = c.get("/dialup/a/alice01/usage.csv", params={"month": month})
    assert csv.status_code == 200 and "text/csv" in csv.headers["content-type"]
    assert f"{local_start}," in csv.text and ",1200,1048576,5242880,10.1.0.1,057188889999,S1" in csv.text
    assert "19:40:00" in c.get("/dialup/a/alice01").text  # 20 hours less 20 minutes left

    nas.account("alice01", "Start", "S2", when=t0 + dt.timedelta(hours=1))
    nas.account("alice01", "Stop", "S2", when=t0 + dt.timedelta(hours=21), seconds=19 * 3600 + 2400)
    assert harness.in_tenant("alpha", enforce_tenant, harness.hall, harness.tenant("alpha")) == 1
    assert account(harness)["blocked"] == "exhausted"
    assert not nas.login("alice01", PASSWORD)
    assert "state-used_up" in c.get("/dialup/a/alice01").text


def test_prepaid_money_is_spent_by_the_hour_and_stops_the_account_when_gone(world, nas):
    from plugins.dialup.jobs import enforce_tenant

    harness, pay, _ = world
    c, _ = open_and_pay(harness, pay, offering="dialup.cash50", amount=5000)  # ¥50 at ¥2 an hour: 25 hours
    accepted, reply = nas.ask("alice01", PASSWORD)
    assert accepted and reply["Session-Timeout"] == [25 * 3600]  # the access server hangs up when it is spent
    t0 = dt.datetime.now(UTC).replace(microsecond=0) + dt.timedelta(minutes=1)
    nas.account("alice01", "Start", "M1", when=t0)
    nas.account("alice01", "Stop", "M1", when=t0 + dt.timedelta(hours=10), seconds=10 * 3600)
    assert "¥30.00" in c.get("/dialup/a/alice01").text
    accepted, reply = nas.ask("alice01", PASSWORD)
    assert accepted and reply["Session-Timeout"] == [15 * 3600]
    nas.account("alice01", "Start", "M2", when=t0 + dt.timedelta(hours=11))
    nas.account("alice01", "Stop", "M2", when=t0 + dt.timedelta(hours=26), seconds=15 * 3600)
    harness.in_tenant("alpha", enforce_tenant, harness.hall, harness.tenant("alpha"))
    assert not nas.login("alice01", PASSWORD)
    assert "state-used_up" in c.get("/dialup/a/alice01").text
