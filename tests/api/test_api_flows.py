"""Done means: an app signs in with PKCE, reads bills and usage, opens a ticket and pays a bill through the sandbox;
a partner tops up a number; one tenant's token reads nothing of another."""

from __future__ import annotations

from api_support import app_token, partner_token

API = "/api/tmf/v4"


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_app_reads_bills_opens_ticket_and_pays(world):
    harness, plugin, ids = world
    token = app_token(harness, ids)
    http = harness.client("alpha").http
    bills = http.get(f"{API}/customerBill", headers=bearer(token), params={"limit": 2})
    assert bills.status_code == 200, bills.text
    assert bills.headers["X-Total-Count"] == "6" and bills.headers["X-Result-Count"] == "2"
    assert {b["state"] for b in bills.json()} <= {"sent", "partiallyPaid", "settled"}
    trimmed = http.get(f"{API}/customerBill", headers=bearer(token), params={"fields": "state"}).json()
    assert set(trimmed[0]) == {"id", "href", "@type", "state"}
    assert http.get(f"{API}/usage", headers=bearer(token)).status_code == 200
    unpaid = (
        next(b for b in bills.json() if b["state"] == "sent")
        if any(b["state"] == "sent" for b in bills.json())
        else None
    )
    unpaid = unpaid or next(
        b for b in http.get(f"{API}/customerBill", headers=bearer(token), params={"state": "sent"}).json()
    )
    ticket = http.post(
        f"{API}/troubleTicket",
        headers=bearer(token),
        json={"ticketType": "consultation", "description": "Roaming", "note": [{"text": "Does my plan roam?"}]},
    )
    assert ticket.status_code == 201, ticket.text
    assert ticket.json()["status"] == "acknowledged"
    assert (
        http.get(f"{API}/troubleTicket/{ticket.json()['id']}", headers=bearer(token)).json()["name"]
        == ticket.json()["name"]
    )
    payment = http.post(f"{API}/payment", headers=bearer(token), json={"paymentItem": [{"item": {"id": unpaid["id"]}}]})
    assert payment.status_code == 201, payment.text
    body = payment.json()
    assert body["checkoutUrl"].startswith("http")
    to_gateway = http.get(body["checkoutUrl"], follow_redirects=False)
    assert to_gateway.status_code in (200, 303), to_gateway.text[:300]
    gateway = plugin.gateway("alpha")
    gateway.pay(body["id"])
    assert http.post("/pay/notify/fake", data=gateway.notification(body["id"])).status_code == 200
    assert http.get(f"{API}/payment/{body['id']}", headers=bearer(token)).json()["status"] == "succeeded"


def test_partner_tops_up_any_number_and_reads_no_customer(world):
    harness, plugin, ids = world
    token = partner_token(harness, ids)
    http = harness.client("alpha").http
    r = http.post(
        f"{API}/topUp",
        headers=bearer(token),
        json={"serviceNumber": ids["alpha"]["other"], "amount": {"value": 50, "unit": "CNY"}, "attempt": "bank-0001"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["totalAmount"] == {"unit": "CNY", "value": 50.0}
    assert http.get(f"{API}/customerBill", headers=bearer(token)).json()["code"] == "insufficient_scope"
    assert http.get(f"{API}/productOffering", headers=bearer(token)).status_code == 200


def test_one_tenants_token_reads_nothing_of_another(world):
    harness, plugin, ids = world
    token = app_token(harness, ids, "alpha")
    other = harness.client("beta").http
    r = other.get(f"{API}/customerBill", headers=bearer(token))
    assert r.status_code == 401 and set(r.json()) == {"code", "reason", "message", "status"}
    assert (
        other.get(f"{API}/customerBill/alpha-{ids['alpha']['numbers'][0]}-2024-05", headers=bearer(token)).status_code
        == 401
    )


def test_errors_are_tmf_bodies_and_never_5xx(world):
    harness, plugin, ids = world
    token = app_token(harness, ids)
    http = harness.client("alpha").http
    for path in (
        "/customerBill?limit=0",
        "/customerBill?offset=-1",
        "/customerBill?limit=abc",
        "/customerBill/nope",
        "/product/99999999999999",
    ):
        r = http.get(API + path, headers=bearer(token))
        assert 400 <= r.status_code < 500, (path, r.status_code, r.text)
        assert set(r.json()) == {"code", "reason", "message", "status"}, (path, r.text)
    assert http.get(f"{API}/customerBill").status_code == 401


def test_a_kiosk_reports_its_heartbeat_to_the_console(world):
    from api_support import register_client

    harness, plugin, ids = world
    console = harness.client("beta")
    console.login_operator("beta-admin")
    kiosk = register_client(console, "kiosk", ["catalog.read", "topup", "kiosk"])
    http = harness.client("beta").http
    r = http.post(
        "/api/oauth/token",
        data={"grant_type": "client_credentials", "client_id": kiosk["client_id"], "client_secret": kiosk["secret"]},
    )
    token = r.json()["access_token"]
    beat = http.post(f"{API}/kiosk/heartbeat", headers=bearer(token), json={"status": "printer: low paper"})
    assert beat.status_code == 200, beat.text
    page = console.get("/console/api-clients")
    assert "printer: low paper" in page.text and "Self-service terminal" in page.text
    rotated = console.post(f"/console/api-clients/{_pk(harness, kiosk)}/rotate")
    assert rotated.status_code == 200
    assert http.post(f"{API}/kiosk/heartbeat", headers=bearer(token), json={}).status_code == 401  # its tokens ended
    from core.audit import AuditLog

    actions = harness.in_tenant("beta", lambda: AuditLog.select(AuditLog.action).order_by(AuditLog.id))
    assert {"api.client.create", "api.client.rotate"} <= {a["action"] for a in actions}


def _pk(harness, client) -> int:
    from core.tmf.tables import ApiClient

    row = harness.in_tenant(
        "beta", lambda: ApiClient.select(ApiClient.id).where(ApiClient.client_id == client["client_id"]).first()
    )
    return row["id"]
