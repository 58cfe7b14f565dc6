"""Demo API clients (``hall demo`` only): an app, a partner and a kiosk per demo tenant, with well-known ids and
secrets (docs/api.md, "Trying it on the demo"), so the worked examples run against the demo as written."""

from __future__ import annotations

from core.tmf import tokens
from core.tmf.scopes import BY_KIND
from core.tmf.tables import ApiClient

REDIRECT = "http://127.0.0.1:8765/callback"
NAMES = {  # the clients' names as the tenant's staff would write them
    "zh_CN": {"app": "演示手机应用", "partner": "演示合作银行", "kiosk": "营业厅自助终端 1号"},
    "en": {"app": "Demo app", "partner": "Demo bank", "kiosk": "Hall terminal 1"},
}


def demo_clients(tenant_id: str, language: str = "en") -> list[dict]:
    names = NAMES.get(language, NAMES["en"])
    return [
        {
            "client_id": f"hc_demo_app_{tenant_id}",
            "name": names["app"],
            "kind": "app",
            "secret": "",
            "redirect_uris": [REDIRECT],
        },
        {
            "client_id": f"hc_demo_partner_{tenant_id}",
            "name": names["partner"],
            "kind": "partner",
            "secret": f"demo-partner-{tenant_id}",
            "redirect_uris": [],
        },
        {
            "client_id": f"hc_demo_kiosk_{tenant_id}",
            "name": names["kiosk"],
            "kind": "kiosk",
            "secret": f"demo-kiosk-{tenant_id}",
            "redirect_uris": [],
        },
    ]


async def add_demo_clients(hall, tenant) -> None:
    for spec in demo_clients(tenant.id, tenant.language):
        if await ApiClient.exists().where(ApiClient.client_id == spec["client_id"]):
            continue
        secret_hash = tokens.keyed_hash(hall.secret, spec["secret"]) if spec["secret"] else ""
        await ApiClient.insert(
            ApiClient(
                client_id=spec["client_id"],
                name=spec["name"],
                kind=spec["kind"],
                secret_hash=secret_hash,
                redirect_uris=spec["redirect_uris"],
                scopes=list(BY_KIND[spec["kind"]]),
                rate_per_minute=600,
            )
        )
