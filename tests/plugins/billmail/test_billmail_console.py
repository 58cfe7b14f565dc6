"""Operators: batches and the send log, resending one mail (audited, the same Message-ID), and who may do what."""

from __future__ import annotations

from billmail_support import MONTH, build, login, mails_to, seed_bills

from core.audit import AuditLog
from plugins.billmail.jobs import tick
from plugins.billmail.tables import Send


def sent_world(hall_factory, mail_sink):
    harness, people = build(hall_factory)
    me = people["alpha"]
    assert (
        login(harness, "alpha", me["number"]).post("/billmail/subscribe", {"number": me["number"]}).status_code == 303
    )
    harness.in_tenant("alpha", seed_bills, [me["number"]], MONTH, 1)
    harness.in_tenant("alpha", tick, harness.hall, "alpha")
    [row] = harness.in_tenant("alpha", lambda: Send.select())
    assert row["state"] == "sent" and len(mails_to(mail_sink, me["email"])) == 1
    return harness, me, row


def operator(harness, tid: str, username: str):
    client = harness.client(tid)
    client.login_operator(username)
    return client


def test_the_send_log_and_a_resend(hall_factory, mail_sink):
    harness, me, row = sent_world(hall_factory, mail_sink)
    clerk = operator(harness, "alpha", "alpha-clerk")
    batches = clerk.get("/billmail/console")
    assert batches.status_code == 200 and MONTH in batches.text
    log = clerk.get(f"/billmail/console/batch/{row['batch']}", params={"q": me["number"]})
    assert log.status_code == 200 and me["number"] in log.text and me["email"] not in log.text  # address masked
    assert f"/billmail/console/send/{row['id']}/resend" in log.text
    r = clerk.post(f"/billmail/console/send/{row['id']}/resend")
    assert r.status_code == 303 and "result=sent" in r.headers["location"]
    first, second = mails_to(mail_sink, me["email"])
    assert first["Message-ID"] == second["Message-ID"]  # a resend of the same row: the client can tell
    again = harness.in_tenant("alpha", lambda: Send.select().where(Send.id == row["id"]).first())
    assert again["state"] == "sent" and again["attempts"] == 2
    audit = harness.in_tenant("alpha", lambda: AuditLog.select().where(AuditLog.action == "billmail.resend"))
    assert len(audit) == 1 and me["number"] in audit[0]["summary"]


def test_a_stopped_subscription_is_not_resent(hall_factory, mail_sink):
    harness, me, row = sent_world(hall_factory, mail_sink)
    assert login(harness, "alpha", me["number"]).post("/billmail/stop", {"number": me["number"]}).status_code == 303
    r = operator(harness, "alpha", "alpha-clerk").post(f"/billmail/console/send/{row['id']}/resend")
    assert r.status_code == 303 and "result=refused" in r.headers["location"]
    assert len(mails_to(mail_sink, me["email"])) == 1


def test_permissions_and_tenants(hall_factory, mail_sink):
    harness, me, row = sent_world(hall_factory, mail_sink)
    viewer = operator(harness, "alpha", "alpha-viewer")
    assert viewer.get(f"/billmail/console/batch/{row['batch']}").status_code == 200
    assert viewer.post(f"/billmail/console/send/{row['id']}/resend").status_code == 403
    beta = operator(harness, "beta", "beta-clerk")  # another tenant's operator: the ids mean nothing there
    assert beta.get(f"/billmail/console/batch/{row['batch']}").status_code == 404
    assert beta.post(f"/billmail/console/send/{row['id']}/resend").status_code == 404
    customer = login(harness, "alpha", me["number"])
    assert customer.get("/billmail/console", follow_redirects=False).status_code in (303, 403)
    assert len(mails_to(mail_sink, me["email"])) == 1
