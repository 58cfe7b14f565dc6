"""An app's customer token for any test world (PKCE, through the console and the hall's pages, as tests/api does)."""

from __future__ import annotations

from api_support import REDIRECT, register_client, sign_in

from core.api.testing import add_operator

API = "/api/tmf/v4"


def app_http(harness, login: str, tid: str = "alpha"):
    """(HTTP client, bearer headers) of the customer ``login`` signed in through a registered app."""
    add_operator(harness, tid, f"{tid}-api-admin", permissions=["core.api.clients"])
    console = harness.client(tid)
    console.login_operator(f"{tid}-api-admin")
    client = register_client(console, "app", ["customer.read", "customer.write", "catalog.read"], REDIRECT)
    token = sign_in(harness, tid, login, client["client_id"])
    return harness.client(tid).http, {"Authorization": f"Bearer {token}"}


def add_item(offering: str, external: str, **chars) -> dict:
    """A TMF622 order of one ``add`` item, the characteristics as name/value pairs."""
    item = {
        "action": "add",
        "productOffering": {"id": offering},
        "productCharacteristic": [{"name": k, "value": v} for k, v in chars.items()],
    }
    return {"externalId": external, "productOrderItem": [item]}
