"""Two tenants with bills, bill payment, customer service and top-up, the fake gateway, and API clients registered by
an operator on the console page: an app (authorization code + PKCE) and a partner (client credentials)."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from core.api.testing import FakePaymentPlugin, TenantSpec, add_operator, make_customer, register_customer

sys.path.insert(0, str(Path(__file__).parent.parent / "plugins" / "billpay"))
from billpay_support import SELLER, link, seed_bills  # noqa: E402

REDIRECT = "https://app.example.com/cb"
TOPUP = {
    "presets_fen": [3000, 5000],
    "min_fen": 1000,
    "max_fen": 50000,
    "number_daily_count": 3,
    "number_daily_fen": 100000,
    "address_hourly_attempts": 40,
}


def build(hall_factory):
    plugin = FakePaymentPlugin()
    settings = {"billpay": dict(SELLER), "topup": TOPUP}
    plugins = ["billpay", "service", "topup", "bills"]
    harness = hall_factory(
        [
            TenantSpec("alpha", plugins=plugins, payments={"providers": ["fake"]}, plugin_settings=settings),
            TenantSpec(
                "beta", plugins=plugins, language="en", payments={"providers": ["fake"]}, plugin_settings=settings
            ),
        ],
        extra_plugins={"fakepay": plugin},
    )
    ids = {}
    for n, tid in enumerate(("alpha", "beta")):
        customer = make_customer(80 + n, numbers=(f"1391111{n}001", f"1391111{n}002"), phone=f"1391111{n}001")
        other = make_customer(90 + n, numbers=(f"1392222{n}001",), phone=f"1392222{n}001")
        account = register_customer(harness, tid, customer)
        harness.in_tenant(tid, link, account, customer.numbers[1].number)
        register_customer(harness, tid, other)
        for number in (*[x.number for x in customer.numbers], other.numbers[0].number):
            harness.in_tenant(tid, seed_bills, number, tid)
        add_operator(harness, tid, f"{tid}-admin", permissions=["core.api.clients"])
        ids[tid] = {"numbers": [x.number for x in customer.numbers], "other": other.numbers[0].number}
        console = harness.client(tid)
        console.login_operator(f"{tid}-admin")
        ids[tid]["app"] = register_client(console, "app", ["customer.read", "customer.write", "catalog.read"], REDIRECT)
        ids[tid]["partner"] = register_client(console, "partner", ["catalog.read", "topup", "events"])
    return harness, plugin, ids


def register_client(console, kind: str, scopes: list[str], redirect: str = "") -> dict:
    """Through the console page, as an operator does: (client_id, secret shown once)."""
    data = {"name": f"{kind} client", "kind": kind, "redirect_uris": redirect, "rate": "600"}
    form = {**data, "_csrf_token": console.csrf()}
    body = "&".join(f"{k}={v}" for k, v in form.items()) + "".join(f"&scopes={s}" for s in scopes)
    r = console.http.post(
        "/console/api-clients", content=body, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert r.status_code == 200, r.text[:500]
    client_id = re.search(r"(hc_[0-9a-f]{24})", r.text).group(1)
    found = re.search(r"data-secret>([^<]+)<", r.text)
    return {"client_id": client_id, "secret": found.group(1) if found else ""}


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def app_token(harness, ids, tid: str = "alpha") -> str:
    return sign_in(harness, tid, ids[tid]["numbers"][0], ids[tid]["app"]["client_id"])


def sign_in(harness, tid: str, login: str, client_id: str) -> str:
    """The whole app sign-in with an HTTP client only: log in on the hall's page, approve, exchange code + verifier."""
    browser = harness.client(tid)
    browser.login_customer(login)
    verifier, challenge = pkce()
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT,
        "scope": "customer.read customer.write catalog.read",
        "state": "xyz",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    page = browser.http.get("/api/oauth/authorize", params=query)
    assert page.status_code == 200, page.text[:500]
    r = browser.post("/api/oauth/authorize", {**query, "decision": "approve"})
    assert r.status_code == 303, r.text[:500]
    back = parse_qs(urlsplit(r.headers["location"]).query)
    assert back["state"] == ["xyz"]
    token = browser.http.post(
        "/api/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": back["code"][0],
            "redirect_uri": REDIRECT,
            "client_id": client_id,
            "code_verifier": verifier,
        },
    )
    assert token.status_code == 200, token.text
    return token.json()["access_token"]


def partner_token(harness, ids, tid: str = "alpha") -> str:
    client = harness.client(tid)
    partner = ids[tid]["partner"]
    r = client.http.post(
        "/api/oauth/token", data={"grant_type": "client_credentials"}, auth=(partner["client_id"], partner["secret"])
    )
    assert r.status_code == 200, r.text
    return r.json()["access_token"]
