"""The events hub: a partner registers a listener; a ticket opened by an app and a payment that succeeds reach it,
signed; a listener that keeps failing is retried with back-off and ends in the dead letters; replay sends again."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json

from api_support import app_token, partner_token

from core.tmf import hub
from core.tmf.tables import ApiDelivery

API = "/api/tmf/v4"


def test_events_reach_a_listener_signed_and_failures_end_dead(world, monkeypatch):
    harness, plugin, ids = world
    partner = partner_token(harness, ids)
    http = harness.client("alpha").http
    auth = {"Authorization": f"Bearer {partner}"}
    r = http.post(
        f"{API}/hub",
        headers=auth,
        json={
            "callback": "https://bank.example.com/events",
            "query": "eventType=TroubleTicketStateChangeEvent,PaymentCreateEvent",
        },
    )
    assert r.status_code == 201, r.text
    key, listener = r.json()["signingKey"], r.json()["id"]
    customer = {"Authorization": f"Bearer {app_token(harness, ids)}"}
    ticket = http.post(
        f"{API}/troubleTicket",
        headers=customer,
        json={"ticketType": "consultation", "description": "Roaming", "note": [{"text": "Roaming?"}]},
    )
    assert ticket.status_code == 201
    received = []

    async def fake_send(url, body, headers):
        received.append((url, body, headers))
        return 200

    monkeypatch.setattr(hub, "send", fake_send)
    counts = harness.in_tenant("alpha", hub.deliver_due, harness.hall, "alpha")
    assert counts["delivered"] == 1
    url, body, headers = received[0]
    assert url == "https://bank.example.com/events"
    assert headers["X-Hall-Signature"] == "sha256=" + hmac.new(key.encode(), body, hashlib.sha256).hexdigest()
    event = json.loads(body)
    assert (
        event["eventType"] == "TroubleTicketStateChangeEvent"
        and event["event"]["troubleTicket"]["status"] == "acknowledged"
    )

    async def failing(url, body, headers):
        return 503

    monkeypatch.setattr(hub, "send", failing)
    http.post(
        f"{API}/troubleTicket",
        headers=customer,
        json={"ticketType": "consultation", "description": "Again", "note": [{"text": "?"}]},
    )
    now = dt.datetime.now(dt.timezone.utc)
    for attempt in range(hub.POLICY.max_attempts):
        counts = harness.in_tenant(
            "alpha", hub.deliver_due, harness.hall, "alpha", now=now + dt.timedelta(days=attempt + 1)
        )
    assert counts["dead"] == 1
    waits = harness.in_tenant("alpha", lambda: ApiDelivery.select().where(ApiDelivery.status == "dead").first())
    assert waits["attempts"] == hub.POLICY.max_attempts and "503" in waits["last_error"]
    dead = http.get(f"{API}/hub", headers=auth).json()[0]["deadLetter"]
    assert len(dead) == 1 and dead[0]["eventType"] == "TroubleTicketStateChangeEvent"
    assert http.post(f"{API}/hub/{listener}/replay", headers=auth).status_code == 200
    monkeypatch.setattr(hub, "send", fake_send)
    assert (
        harness.in_tenant("alpha", hub.deliver_due, harness.hall, "alpha", now=now + dt.timedelta(days=30))["delivered"]
        == 1
    )
    assert http.delete(f"{API}/hub/{listener}", headers=auth).status_code == 204
    assert http.get(f"{API}/hub", headers=auth).json() == []


def test_a_payment_that_succeeds_reaches_the_listener(world, monkeypatch):
    """PaymentCreateEvent: a bill paid through the API's checkout is told once the gateway says it succeeded."""
    harness, plugin, ids = world
    http = harness.client("alpha").http
    partner = {"Authorization": f"Bearer {partner_token(harness, ids)}"}
    r = http.post(
        f"{API}/hub",
        headers=partner,
        json={"callback": "https://bank.example.com/pay", "query": "eventType=PaymentCreateEvent"},
    )
    assert r.status_code == 201, r.text
    key = r.json()["signingKey"]
    customer = {"Authorization": f"Bearer {app_token(harness, ids)}"}
    unpaid = http.get(f"{API}/customerBill", headers=customer, params={"state": "sent"}).json()[0]
    payment = http.post(
        f"{API}/payment", headers=customer, json={"paymentItem": [{"item": {"id": unpaid["id"]}}]}
    ).json()
    received = []

    async def fake_send(url, body, headers):
        received.append((body, headers))
        return 200

    monkeypatch.setattr(hub, "send", fake_send)
    assert harness.in_tenant("alpha", hub.deliver_due, harness.hall, "alpha")["delivered"] == 0  # not paid yet
    assert http.get(payment["checkoutUrl"], follow_redirects=False).status_code in (200, 303)  # on to the gateway
    gateway = plugin.gateway("alpha")
    gateway.pay(payment["id"])
    assert http.post("/pay/notify/fake", data=gateway.notification(payment["id"])).status_code == 200
    assert http.get(f"{API}/payment/{payment['id']}", headers=customer).json()["status"] == "succeeded"
    rows = harness.in_tenant("alpha", lambda: ApiDelivery.select())
    assert harness.in_tenant("alpha", hub.deliver_due, harness.hall, "alpha")["delivered"] == 1, rows
    body, headers = received[0]
    assert headers["X-Hall-Signature"] == "sha256=" + hmac.new(key.encode(), body, hashlib.sha256).hexdigest()
    event = json.loads(body)
    assert event["eventType"] == "PaymentCreateEvent" and event["event"]["payment"]["id"] == payment["id"]
    assert event["event"]["payment"]["status"] == "succeeded"
