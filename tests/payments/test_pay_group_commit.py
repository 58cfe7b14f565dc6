"""Group commit (core.payments.group_commit): notifications settled together in one transaction, each still exactly once.

Every notification of a scenario waits, after its intent was read, until all
have been read (a barrier around ``precheck``), so they queue together and the
settler takes them as one batch - the tests then check that it really did.
"""

from __future__ import annotations

import asyncio

import pytest

from core.hookspecs import hookimpl
from core.legacy.outbox_tables import OutboxEvent
from core.payments import create_intent, get_intent, group_commit, start_checkout
from core.payments.ledger import history
from core.payments.notify import handle_notification
from core.payments.registry import provider_for
from core.testing import TenantSpec
from core.testing.payments import FakePaymentPlugin
from core.tenancy import tenant_scope

COPIES = 4


@pytest.fixture
def together(monkeypatch):
    """``arrive(n)``: the next n notifications queue for the settler at the same moment."""

    read = group_commit.precheck

    def arrive(n: int) -> None:
        barrier = asyncio.Barrier(n)

        async def read_then_wait(*args, **kwargs):
            checked = await read(*args, **kwargs)
            await barrier.wait()
            return checked

        monkeypatch.setattr(group_commit, "precheck", read_then_wait)

    return arrive


async def open_intents(h, owner: str, references: list[str]) -> list[str]:
    ids = []
    for n, reference in enumerate(references):
        intent = await create_intent(
            h.hall,
            purpose="card",
            owner=owner,
            reference=reference,
            customer_id="C1",
            amount_fen=500 + n,
            provider="fake",
            idempotency_key=f"k-{reference}",
        )
        await start_checkout(h.hall, intent.id, channel="pc", return_url="http://a/r", notify_url="http://a/n")
        ids.append(intent.id)
    return ids


async def notify_all(h, plugin, tenant, notices: list[tuple[str, int]]) -> list[str]:
    """Post every (intent, fen) "paid" notification at once through the real handler; the answers' bodies."""
    provider = provider_for(h.hall, tenant, "fake")

    async def one(intent_id: str, fen: int) -> str:
        form = plugin.gateway(tenant.id).notification(intent_id, status="succeeded", amount_fen=fen, trade_no="T1")
        with tenant_scope(tenant):
            return (await handle_notification(h.hall, provider, form))[2]

    return list(await asyncio.gather(*(one(i, fen) for i, fen in notices)))


def test_concurrent_duplicates_in_one_batch_credit_each_payment_once(pay, together):
    h, plugin = pay
    tenant = h.tenant("alpha")
    ids = h.in_tenant("alpha", open_intents, h, "testshop", [f"r{n}" for n in range(5)])
    notices = [(i, 500 + n) for n, i in enumerate(ids) for _ in range(COPIES)]
    together(len(notices))
    group_commit.batches.clear()

    answers = h.run(notify_all(h, plugin, tenant, notices))

    assert answers == ["success"] * len(notices)
    assert group_commit.batches == [len(notices)]  # all of them in one transaction
    assert all(h.in_tenant("alpha", get_intent, i).state == "succeeded" for i in ids)
    events = h.in_tenant("alpha", lambda: OutboxEvent.select(OutboxEvent.kind, OutboxEvent.payload))
    for kind in ("payment.posted", "shop.delivered"):  # one credit and one fulfilment each
        assert sorted(e["payload"]["intent_id"] for e in events if e["kind"] == kind) == sorted(ids)
    for intent_id in ids:
        reasons = [e["reason"] for e in h.in_tenant("alpha", history, intent_id) if e["kind"] == "notification"]
        assert sorted(reasons).count("duplicate: already settled") == COPIES - 1


class PartlyBroken:
    """Owns the payments; the fulfilment of reference ``bad`` raises while ``broken``."""

    broken = True

    @hookimpl
    def payment_succeeded(self, hall, tenant, intent):
        if self.broken and intent.reference == "bad":
            raise RuntimeError("warehouse offline")


def test_a_broken_fulfilment_in_a_batch_fails_only_its_own_notification(hall_factory, together, caplog):
    owner, plugin = PartlyBroken(), FakePaymentPlugin()
    h = hall_factory(
        [TenantSpec("alpha", payments={"providers": ["fake"]})], extra_plugins={"fakepay": plugin, "owner": owner}
    )
    tenant = h.tenant("alpha")
    ids = h.in_tenant("alpha", open_intents, h, "owner", ["a", "bad", "c", "d"])
    together(len(ids))
    group_commit.batches.clear()

    answers = h.run(notify_all(h, plugin, tenant, [(i, 500 + n) for n, i in enumerate(ids)]))

    assert answers == ["success", "fail", "success", "success"]  # the batch rolled back; each was settled alone
    assert group_commit.batches == []  # the one batch never committed; each was then settled on its own
    assert "a batch of 4 payment notifications rolled back" in caplog.text
    states = [h.in_tenant("alpha", get_intent, i).state for i in ids]
    assert states == ["succeeded", "pending", "succeeded", "succeeded"]
    posted = h.in_tenant("alpha", lambda: OutboxEvent.select(OutboxEvent.payload))
    assert sorted(e["payload"]["intent_id"] for e in posted) == sorted(ids[:1] + ids[2:])
    assert any("warehouse offline" in e["reason"] for e in h.in_tenant("alpha", history, ids[1]))
    owner.broken = False  # the gateway sends it again
    together(1)
    assert h.run(notify_all(h, plugin, tenant, [(ids[1], 501)])) == ["success"]
    assert h.in_tenant("alpha", get_intent, ids[1]).state == "succeeded"
