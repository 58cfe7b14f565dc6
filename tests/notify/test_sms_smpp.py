"""SMS through SMPP: the real smpplib client against a stand-in SMSC speaking SMPP 3.4 over TCP."""

from __future__ import annotations

from sms_support import SIGNATURE
from sms_steps import collect_reports, message, parts, retry_due, send_sms

LONG = (
    "您的报修单 GD20240001 已受理，维修人员将在两小时内与您联系。如有疑问请拨打客服热线 10000，感谢您对江南电信的支持。"
    * 2
)


def test_a_long_chinese_sms_goes_as_concatenated_ucs2_parts_and_receipts_mark_it_delivered(smpp_hall, smsc):
    h = smpp_hall()
    smsc.hold_receipts = True
    mid = send_sms(h, LONG)
    text = f"【{SIGNATURE}】{LONG}"
    assert len(text) > 134  # more than two 67-character parts
    submitted = smsc.submitted
    assert len(submitted) == -(-len(text) // 67)
    assert {(s.data_coding, s.esm_class, s.registered_delivery) for s in submitted} == {
        (8, 0x40, 1)
    }  # UCS2, UDH, receipt wanted
    assert all(len(s.short_message) <= 140 for s in submitted)
    assert {s.short_message[3] for s in submitted} == {mid % 256}  # one concatenation reference for all parts
    assert [s.short_message[5] for s in submitted] == list(range(1, len(submitted) + 1))
    assert smsc.texts() == [text]
    assert {(s.destination, s.source, s.system_id) for s in submitted} == {("13800000001", "1065900010000", "hall")}
    row = message(h, mid)
    assert (row["status"], row["provider"], row["parts"], row["attempts"]) == ("sent", "smpp", len(submitted), 1)
    assert [p["provider_id"] for p in parts(h, mid)] == [s.message_id for s in submitted]

    smsc.release_receipts()
    collect_reports(h)
    row = message(h, mid)
    assert (row["status"], row["report"]) == ("delivered", "DELIVRD") and row["delivered_at"] is not None
    assert {p["status"] for p in parts(h, mid)} == {"delivered"}
    assert smsc.receipts_pending() == 0  # every receipt was acknowledged with deliver_sm_resp


def test_a_receipt_saying_undeliverable_fails_the_message(smpp_hall, smsc):
    h = smpp_hall()
    smsc.undeliverable.add("13800000002")
    mid = send_sms(h, "验证码 123456", to="13800000002")
    collect_reports(h)
    row = message(h, mid)
    assert (row["status"], row["report"]) == ("failed", "UNDELIV") and "UNDELIV" in row["last_error"]


def test_smsc_down_the_message_waits_and_goes_once_when_it_is_back(smpp_hall, smsc):
    h = smpp_hall()
    smsc.stop()
    mid = send_sms(h, "验证码 654321")
    row = message(h, mid)
    assert row["status"] == "pending" and "unreachable" in row["last_error"] and row["next_attempt_at"] is not None
    assert retry_due(h) == 0  # still down: another attempt used, still pending
    assert message(h, mid)["attempts"] == 2
    smsc.start()
    assert retry_due(h) == 1
    assert retry_due(h) == 0  # nothing left to send
    assert smsc.texts() == [f"【{SIGNATURE}】验证码 654321"]
    assert message(h, mid)["status"] in ("sent", "delivered")


def test_a_link_broken_halfway_resends_only_the_missing_parts(smpp_hall, smsc):
    h = smpp_hall()
    smsc.hold_receipts = True
    smsc.drop_after_parts = 1
    mid = send_sms(h, LONG)
    row = message(h, mid)
    assert row["status"] == "pending" and "after 1 part" in row["last_error"]
    assert [p["part"] for p in parts(h, mid)] == [1]  # recorded as soon as the SMSC accepted it
    assert retry_due(h) == 1
    total = -(-len(f"【{SIGNATURE}】{LONG}") // 67)
    assert [s.short_message[5] for s in smsc.submitted] == list(range(1, total + 1))  # part 1 once, then the rest
    assert smsc.texts() == [f"【{SIGNATURE}】{LONG}"]
    assert [p["part"] for p in parts(h, mid)] == list(range(1, total + 1))


def test_throttling_by_the_smsc_is_retried_and_a_refused_login_fails_cleanly(smpp_hall, smsc, monkeypatch):
    h = smpp_hall()
    smsc.throttle_next = 1
    mid = send_sms(h, "验证码 111111")
    assert message(h, mid)["status"] == "pending" and "Throttling" in message(h, mid)["last_error"]
    assert retry_due(h) == 1 and len(smsc.submitted) == 1

    smsc.accounts["hall"] = "changed-by-the-operator"
    mid = send_sms(h, "验证码 222222", to="13800000003")
    row = message(h, mid)
    assert (
        row["status"] == "failed"
        and "refused the bind" in row["last_error"]
        and "Invalid Password" in row["last_error"]
    )
    assert len(smsc.submitted) == 1


def test_attempts_run_out(smpp_hall, smsc):
    h = smpp_hall(max_attempts=2)
    smsc.stop()
    mid = send_sms(h, "验证码 333333")
    retry_due(h)
    row = message(h, mid)
    assert (row["status"], row["attempts"]) == ("failed", 2) and "unreachable" in row["last_error"]


def test_concurrent_senders_of_one_message_send_it_once(smpp_hall, smsc):
    """Five deliveries of the same message at once (separate connections on PostgreSQL): one claim, one submit per part."""
    import asyncio

    from core.notify.outbox import deliver, queue
    from core.tenancy import tenant_scope

    h = smpp_hall()
    tenant = h.tenant("alpha")

    async def scenario():
        with tenant_scope(tenant):
            mid = await queue(channel="sms", recipient="13800000007", subject="", body_text=LONG, purpose="workorder")
        started = asyncio.Event()

        async def one():
            await started.wait()
            with tenant_scope(tenant):
                return await deliver(mid, h.hall.channels_for(tenant))

        tasks = [asyncio.create_task(one()) for _ in range(5)]
        await asyncio.sleep(0)
        started.set()
        return mid, await asyncio.gather(*tasks)

    mid, results = h.run(scenario())
    assert sorted(results) == [False] * 4 + [True]
    assert smsc.texts() == [f"【{SIGNATURE}】{LONG}"] and len(smsc.submitted) == message(h, mid)["parts"]
