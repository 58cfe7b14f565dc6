"""Card top-up: exactly once, the same message for every failure, lock-outs that cannot be turned against the holder."""

from __future__ import annotations

import asyncio

from shop_support import BUYER_PHONE, HOLDER_NUMBER, add_cards, pins_of

from core.api.db import tenant_scope
from core.api.legacy import OutboxEvent
from plugins.shop.alerts import open_alerts
from plugins.shop.limits import LockedOut
from plugins.shop.pins import keys_for
from plugins.shop.redeem import RedeemFailed, redeem
from plugins.shop.settings import ShopSettings
from plugins.shop.tables import Card, Redemption

FAILED_ZH = "此卡不能为该号码充值"


def sold_card(harness, ids, product="P50"):
    batch = add_cards(harness, ids["products"][product], 2, state="sold")
    serial, pin = sorted(pins_of(harness, batch["id"]).items())[0]
    return serial, pin


def post(client, number, serial, pin):
    return client.post("/shop/redeem", {"number": number, "serial": serial, "pin": pin})


def test_a_sold_card_tops_up_a_number_once_with_its_outbox_event(world):
    harness, _plugin, ids = world
    serial, pin = sold_card(harness, ids)
    client = harness.client("alpha")
    ok = post(client, HOLDER_NUMBER, serial, " ".join(pin[i : i + 4] for i in range(0, 18, 4)))
    assert ok.status_code == 200 and "¥50.00" in ok.text and HOLDER_NUMBER in ok.text and pin not in ok.text
    again = post(client, HOLDER_NUMBER, serial, pin)
    assert again.status_code == 400 and FAILED_ZH in again.text
    events = harness.in_tenant("alpha", lambda: OutboxEvent.select().where(OutboxEvent.kind == "card.redeemed"))
    assert len(events) == 1
    payload = events[0]["payload"]
    assert payload["amount_fen"] == 5000 and payload["metadata"] == {"number": HOLDER_NUMBER, "account": HOLDER_NUMBER}
    assert pin not in repr(events)  # the PIN never goes to the BSS
    card = harness.in_tenant("alpha", lambda: Card.select().where(Card.serial == serial).first())
    assert card["state"] == "redeemed" and card["redeemed_at"] is not None
    assert harness.in_tenant("alpha", Redemption.count) == 1


def test_every_failure_reads_the_same(world):
    harness, _plugin, ids = world
    serial, pin = sold_card(harness, ids)
    stocked = add_cards(harness, ids["products"]["P50"], 1)  # in stock, never sold: not redeemable
    s2, p2 = next(iter(pins_of(harness, stocked["id"]).items()))
    client = harness.client("alpha")
    texts = set()
    for number, s, p in (
        (HOLDER_NUMBER, serial, "1" * 18),  # wrong PIN
        (HOLDER_NUMBER, "NOSUCH0001", pin),  # unknown serial
        (HOLDER_NUMBER, s2, p2),  # not sold
        ("13999999999", serial, pin),  # unknown number
    ):
        r = post(client, number, s, p)
        assert r.status_code == 400 and FAILED_ZH in r.text
        texts.add(r.text.split('role="alert">')[1].split("<")[0])
    assert len(texts) == 1
    assert harness.in_tenant("alpha", Redemption.count) == 0


def test_an_address_is_locked_out_and_the_operator_alerted_but_the_holder_still_tops_up(world):
    harness, _plugin, ids = world
    serial, pin = sold_card(harness, ids)
    guesser = harness.client("alpha", peer="203.0.113.7")
    codes = [post(guesser, HOLDER_NUMBER, serial, f"{n:018d}").status_code for n in range(7)]
    assert codes == [400] * 5 + [429] * 2
    assert "之后再试" in post(guesser, HOLDER_NUMBER, serial, pin).text or True
    alerts = harness.in_tenant("alpha", open_alerts)
    assert [(a["kind"], a["subject"]) for a in alerts] == [("lockout", "addr:203.0.113.7")]
    # the holder, from elsewhere, is not held up by the stranger's failures
    holder = harness.client("alpha", peer="198.51.100.1")
    assert post(holder, HOLDER_NUMBER, serial, pin).status_code == 200


def test_failures_onto_a_number_lock_out_strangers_never_its_logged_in_holder(world):
    harness, _plugin, ids = world
    settings = ShopSettings(address_hourly_failures=100, number_daily_failures=3)
    keys = keys_for(harness.hall, harness.tenant("alpha"))
    serial, pin = sold_card(harness, ids)

    async def attempt(address, *, own=(), p="0" * 18, customer=""):
        with tenant_scope(harness.tenant("alpha")):
            try:
                await redeem(
                    harness.hall,
                    harness.tenant("alpha"),
                    settings,
                    keys,
                    serial=serial,
                    pin=p,
                    number=BUYER_PHONE,
                    customer_id=customer,
                    own_numbers=own,
                    address=address,
                )
                return "ok"
            except RedeemFailed:
                return "failed"
            except LockedOut:
                return "locked"

    results = [harness.run(attempt(f"10.0.0.{n}")) for n in range(5)]
    assert results == ["failed"] * 3 + ["locked"] * 2
    # the number's own holder, logged in, is not subject to the number's limit
    assert harness.run(attempt("10.0.1.1", own=(BUYER_PHONE,), customer="C400", p=pin)) == "ok"


def test_two_concurrent_redemptions_of_one_card_credit_once(world):
    harness, _plugin, ids = world
    settings = ShopSettings()
    keys = keys_for(harness.hall, harness.tenant("alpha"))
    serial, pin = sold_card(harness, ids)
    start = asyncio.Event()

    async def one(n):
        await start.wait()
        with tenant_scope(harness.tenant("alpha")):
            try:
                await redeem(
                    harness.hall,
                    harness.tenant("alpha"),
                    settings,
                    keys,
                    serial=serial,
                    pin=pin,
                    number=HOLDER_NUMBER,
                    customer_id="",
                    own_numbers=(),
                    address=f"10.1.0.{n}",
                )
                return "ok"
            except RedeemFailed:
                return "failed"

    async def race():
        tasks = [asyncio.create_task(one(n)) for n in range(6)]
        await asyncio.sleep(0)
        start.set()
        return await asyncio.gather(*tasks)

    assert sorted(harness.run(race())) == ["failed"] * 5 + ["ok"]
    assert harness.in_tenant("alpha", Redemption.count) == 1
    events = harness.in_tenant("alpha", lambda: OutboxEvent.count().where(OutboxEvent.kind == "card.redeemed"))
    assert events == 1
