"""SMS rate limits: per number per hour (fails), per tenant per minute (waits); counted atomically in the database."""

from __future__ import annotations

import asyncio

from sms_steps import message, send_sms

from core.notify import quota
from core.notify.tables import SmsQuota
from core.tenancy import tenant_scope


def test_more_sms_to_one_number_than_allowed_fail_as_rate_limited(smpp_hall, smsc):
    h = smpp_hall(per_destination_per_hour=2)
    smsc.hold_receipts = True
    ids = [send_sms(h, f"验证码 00000{n}") for n in range(3)]
    assert [message(h, i)["status"] for i in ids[:2]] == ["sent", "sent"]
    third = message(h, ids[2])
    assert third["status"] == "failed" and third["last_error"].startswith("rate limited")
    assert len(smsc.submitted) == 2
    other = send_sms(h, "验证码 999999", to="13800000005")
    assert message(h, other)["status"] == "sent"


def test_past_the_tenants_limit_a_message_waits_for_the_next_minute_without_using_an_attempt(smpp_hall, smsc):
    import datetime as dt

    h = smpp_hall(per_tenant_per_minute=1)
    now = dt.datetime.now(dt.timezone.utc)
    for moment in (now, now + dt.timedelta(seconds=60)):  # this minute and the next are used up, whenever the test runs
        assert h.in_tenant("alpha", quota.take, "tenant", 1, 60, moment)
    mid = send_sms(h, "验证码 2", to="13800000006")
    row = message(h, mid)
    assert (row["status"], row["attempts"]) == ("pending", 0) and row["next_attempt_at"] is not None
    assert row["next_attempt_at"].second == 0 and row["next_attempt_at"] > now and "waiting" in row["last_error"]
    assert smsc.submitted == []


def test_concurrent_senders_never_pass_the_limit(hall):
    """Forty takes at once from separate connections (no pool in tests): exactly the limit gets through, per scope."""
    tenant = hall.tenant("alpha")

    async def scenario():
        started = asyncio.Event()

        async def one(scope):
            await started.wait()
            with tenant_scope(tenant):
                return await quota.take(scope, 5, 3600)

        tasks = [asyncio.create_task(one(f"dest:1380000000{n % 2}")) for n in range(40)]
        await asyncio.sleep(0)
        started.set()
        return await asyncio.gather(*tasks)

    results = hall.run(scenario())
    assert sum(results) == 10  # 5 per number
    rows = hall.in_tenant("alpha", lambda: SmsQuota.select(SmsQuota.scope, SmsQuota.used))
    assert sorted((r["scope"], r["used"]) for r in rows) == [("dest:13800000000", 5), ("dest:13800000001", 5)]
    assert hall.in_tenant("beta", lambda: SmsQuota.count()) == 0  # another tenant's counters are its own
