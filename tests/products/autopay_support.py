"""Automatic payment (代扣) in the products tests: a hall whose tenant alpha takes Alipay through a sandbox on a free port.

The sandbox is the plugin's own (the real protocol, the real python-alipay-sdk on the hall's side). It cannot
reach the test client's host, so the tests hand its signed notifications to the hall's endpoints themselves.
"""

from __future__ import annotations

import json
import sys
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "plugins" / "alipay"))

from alipay_support import APP_ID, fetch, start_sandbox, write_secrets  # noqa: E402
from product_support import build  # noqa: E402

from core.payments.agreements import apply_notice, start_signing  # noqa: E402
from core.payments.tables import Agreement  # noqa: E402
from plugins.alipay.provider import AlipayProvider  # noqa: E402, F401  (the provider under test)

__all__ = ["APP_ID", "autopay_world", "fetch", "sign_in_sandbox", "sign", "start_sandbox", "agreement_row"]


def autopay_world(hall_factory, sandbox, **products):
    world = build(
        hall_factory,
        alipay_gateway=sandbox.gateway,
        products={"charges": {"settle": "balance", "catch_up_months": 1, **products}},
    )
    write_secrets(world.harness.hall.settings.config_file, "alpha")
    return world


def sign_in_sandbox(sandbox, url: str, action: str = "agree") -> tuple[str, dict]:
    """Open the signing page like a browser, press Agree: (Location, the dut_user_sign notification's form)."""
    status, _, page = fetch(url)
    assert status == 200 and "/sandbox/sign" in page, page[:500]
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    external = json.loads(params["biz_content"])["external_agreement_no"]
    status, headers, body = fetch(
        sandbox.url + "/sandbox/sign", {"app_id": params["app_id"], "external_agreement_no": external, "action": action}
    )
    assert status == 303, body[:300]
    notes = sandbox.store.notifications(APP_ID, external)
    return headers.get("location", ""), (notes[-1]["form"] if notes else {})


def sign(world, sandbox, account: str, customer: str = "") -> dict:
    """An active agreement of ``account``: signed in the sandbox, its notification verified by the provider."""
    h = world.harness

    async def start():
        return await start_signing(
            h.hall,
            customer_id=customer or world.customer,
            account=account,
            provider_id="alipay",
            channel="pc",
            return_url=lambda _id: "http://alpha.test/account/autopay",
            notify_url="http://alpha.test/pay/agreement-notify/alipay",
            charge_notify_url="http://127.0.0.1:9/pay/notify/alipay",  # nobody listens: the notifications queue up
        )

    row, checkout = world.run(start)
    _, form = sign_in_sandbox(sandbox, checkout.redirect_url)

    async def notify():
        from core.payments.registry import provider_for

        provider = provider_for(h.hall, h.tenant("alpha"), "alipay")
        return await apply_notice("alipay", await provider.verify_agreement_notification(form))

    after = world.run(notify)
    assert after["state"] == "active" and after["agreement_no"], after
    return after


def agreement_row(world, public_id: str) -> dict:
    return world.run(lambda: Agreement.select().where(Agreement.public_id == public_id).first())
