"""The page cache on what is owed (/billpay/): a hit reads no balance and renders nothing; it is never stale.

A payment (its fulfilment's outbox event) shows at once; a live balance bounds the stored page's life
to the figure's own (``[legacy] balance_cache_seconds``); a figure the BSS did not answer for keeps
the page out of the cache.
"""

from __future__ import annotations

import datetime as dt
import time
import types

from test_billpay_accounts import AS_OF, card, world  # noqa: F401  (world: the fixture, 合账 with balances)
from test_billpay_pay import intent_of, pay_at_gateway

from core.api.legacy import LegacyBalance
from core.api.testing import measure_requests


def cache_state(response) -> str:
    return response.headers.get("x-hall-cache", "")


def test_a_second_request_is_a_hit_that_asks_the_bss_nothing(world):  # noqa: F811
    harness, _, client, _ = world
    bss = harness.connectors["alpha"]
    first = client.get("/billpay/")
    assert first.status_code == 200 and cache_state(first) == "miss"
    asked = len(bss.calls)
    with measure_requests(harness.hall) as cost:
        second = client.get("/billpay/")
    assert second.status_code == 200 and cache_state(second) == "hit"
    besides_the_version = [sql for sql in cost.sql if "core_page_version" not in sql]  # counted where no raw driver
    assert besides_the_version == [] and cost.hook_calls == 0, cost.report()
    assert len(bss.calls) == asked
    assert "欠费 ¥155.02" in card(second.text, 'data-account="ACC1"')


def test_a_payment_shows_at_once(world):  # noqa: F811
    harness, plugin, client, _ = world
    client.get("/billpay/")
    assert cache_state(client.get("/billpay/")) == "hit"
    intent_id = intent_of(client.post("/billpay/pay", {"account": "ACC1", "mode": "all"}))
    assert cache_state(client.get("/billpay/")) == "hit"  # a pending payment changes nothing the page shows
    pay_at_gateway(harness, plugin, client, intent_id)
    after = client.get("/billpay/")
    assert cache_state(after) == "miss"
    account = card(after.text, 'data-account="ACC1"')
    assert "pay-all" not in account and "posting" in account


def test_a_stored_page_lives_no_longer_than_its_balance(world, monkeypatch):  # noqa: F811
    from core.legacy import balances
    from core.legacy.billing_tables import Balance
    from core.legacy.settings import legacy_settings
    from core.web.pagecache import layer

    harness, _, client, _ = world
    young = legacy_settings(harness.tenant("alpha")).balance_cache_seconds
    assert young > 6
    nearly_old = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=young - 5)  # the figure is good 5 s more

    async def asked_a_while_ago():
        await balances.balance_of(harness.hall, harness.tenant("alpha"), "ACC1")
        await Balance.update({Balance.fetched_at: nearly_old}, force=True)

    harness.in_tenant("alpha", asked_a_while_ago)
    client.get("/billpay/")
    assert cache_state(client.get("/billpay/")) == "hit"
    harness.connectors["alpha"].balances["ACC1"] = LegacyBalance("ACC1", -20000, AS_OF, "postpaid")
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=6)
    monotonic = time.monotonic() + 6  # well within [server] page_cache_seconds (30): only the balance ends the page
    monkeypatch.setattr(balances, "now", lambda: later)  # both clocks move on past the figure's life
    monkeypatch.setattr(layer, "time", types.SimpleNamespace(monotonic=lambda: monotonic))
    fresh = client.get("/billpay/")
    assert cache_state(fresh) == "miss" and "欠费 ¥200.00" in card(fresh.text, 'data-account="ACC1"')


def test_a_balance_the_bss_did_not_answer_for_keeps_the_page_out_of_the_cache(world):  # noqa: F811
    harness, _, client, _ = world
    harness.connectors["alpha"].down = True
    for _ in range(2):
        answer = client.get("/billpay/")
        assert answer.status_code == 200 and cache_state(answer) != "hit"
