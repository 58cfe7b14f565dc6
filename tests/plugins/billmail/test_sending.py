"""The batch: created once when the month's bills are in, the mail as it arrives at a real SMTP server, failures and retries."""

from __future__ import annotations

import csv
import datetime as dt
import io
import socket

from billmail_support import MONTH, build, login, mails_to, mark_synced, seed_bills
from plugins.billmail.batches import create_batch, month_ready
from plugins.billmail.jobs import tick
from plugins.billmail.sender import BatchSender
from plugins.billmail.tables import Batch, Send

UTC = dt.timezone.utc


def subscribe(harness, tid, people, language=None):
    """Subscribe ``tid``'s customer; with ``language``, after choosing it (the mail is in the language of the page they read)."""
    me = people[tid]
    client = login(harness, tid, me["number"])
    if language:
        assert client.post("/language", {"language": language, "next": "/billmail/"}).status_code == 303
    assert client.post("/billmail/subscribe", {"number": me["number"]}).status_code == 303


def run_tick(harness, tid):
    harness.in_tenant(tid, tick, harness.hall, tid)


def sends(harness, tid):
    return harness.in_tenant(tid, lambda: Send.select().order_by(Send.id))


def test_batch_is_created_once_when_the_months_bills_are_in(world):
    harness, people = world
    subscribe(harness, "alpha", people)
    now = dt.datetime.now(UTC)
    assert harness.in_tenant("alpha", month_ready) is None  # no bills synced yet
    harness.in_tenant("alpha", seed_bills, [people["alpha"]["number"]], MONTH, 2, False, now)
    assert harness.in_tenant("alpha", month_ready) is None  # bills written, but their sync has not finished
    harness.in_tenant("alpha", mark_synced, now - dt.timedelta(minutes=1))
    assert harness.in_tenant("alpha", month_ready) is None  # the last success is older than the month's rows
    harness.in_tenant("alpha", mark_synced, now + dt.timedelta(seconds=1))
    assert harness.in_tenant("alpha", month_ready) == MONTH
    run_tick(harness, "alpha")
    run_tick(harness, "alpha")  # a second run (or a second worker) creates nothing and sends nothing again
    batches = harness.in_tenant("alpha", lambda: Batch.select())
    assert [(b["month"], b["total"]) for b in batches] == [(MONTH, 1)] and batches[0]["finished_at"] is not None
    assert harness.in_tenant("alpha", create_batch, MONTH) == (batches[0]["id"], False)
    assert [s["state"] for s in sends(harness, "alpha")] == ["sent"]
    assert harness.in_tenant("beta", lambda: Batch.select()) == []  # the other tenant has no bills: nothing


def test_the_mail_summary_and_csv_attachment(world, mail_sink):
    harness, people = world
    subscribe(harness, "alpha", people)
    me = people["alpha"]
    harness.in_tenant("alpha", seed_bills, [me["number"]], MONTH, 3)
    run_tick(harness, "alpha")
    [mail] = mails_to(mail_sink, me["email"])
    row = sends(harness, "alpha")[0]
    assert mail["Message-ID"] == f"<billmail.alpha.{row['id']}@hall.localhost>"
    assert str(mail["Subject"]) == f"alpha 测试营业厅：您的 {MONTH} 账单"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = str(mail["List-Unsubscribe"]).strip().strip("<>")
    assert link.startswith("http://alpha.test/billmail/unsubscribe/")
    html = mail.get_body(("html",)).get_content()
    text = mail.get_body(("plain",)).get_content()
    for body in (html, text):
        assert "123.45" in body and "23.45" in body and "100.00" in body  # amount, paid, still to pay (integer fen)
        assert "部分缴费" in body and "2026-10-28" in body and "月基本费" in body and "58.00" in body
        assert "本月 3 条通话记录已作为 CSV 文件附上" in body and "数据更新于" in body and link in body
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_filename() == f"calls-{me['number']}-{MONTH}.csv"
    raw = attachment.get_payload(decode=True)
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["开始时间", "对方号码", "时长（秒）", "通话类型", "费用（元）"]
    assert rows[1:] == [
        ["2026-10-03 10:30:00", "138****0000", "61", "local", "0.30"],  # Asia/Shanghai; masked
        ["2026-10-04 10:30:00", "138****0001", "62", "local", "0.31"],
        ["2026-10-05 10:30:00", "138****0002", "63", "local", "0.32"],
    ]
    # visiting the link from the mail unsubscribes (after the confirmation POST)
    path = link.removeprefix("http://alpha.test")
    assert harness.client("alpha").post(path, {}, csrf=False).status_code == 200


def test_unmasked_numbers_and_english(hall_factory, mail_sink):
    harness, people = build(
        hall_factory, alpha_settings={"mask_called_numbers": False, "public_url": "https://hall.example.com/t/alpha"}
    )
    subscribe(harness, "alpha", people)
    # core.testing's register_customer makes every account read Chinese, whatever the tenant's default: this customer
    # switches to English first, as one on beta's English pages would have (without it the subject was Chinese)
    subscribe(harness, "beta", people, language="en")
    for tid in ("alpha", "beta"):
        harness.in_tenant(tid, seed_bills, [people[tid]["number"]], MONTH, 1)
        run_tick(harness, tid)
    [alpha_mail] = mails_to(mail_sink, people["alpha"]["email"])
    assert (
        str(alpha_mail["List-Unsubscribe"])
        .strip()
        .startswith("<https://hall.example.com/t/alpha/billmail/unsubscribe/")
    )
    rows = list(
        csv.reader(io.StringIO(next(alpha_mail.iter_attachments()).get_payload(decode=True).decode("utf-8-sig")))
    )
    assert rows[1][1] == "13800000000"
    [beta_mail] = mails_to(mail_sink, people["beta"]["email"])  # subscribed from an English page: an English mail
    assert (
        str(beta_mail["Subject"]) == f"beta 测试营业厅: your bill for {MONTH}" and beta_mail["Content-Language"] == "en"
    )
    assert "Still to pay" in beta_mail.get_body(("plain",)).get_content()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when we return: connections are refused


def test_smtp_down_fails_then_retries_with_back_off(world, mail_sink, monkeypatch):
    harness, people = world
    subscribe(harness, "alpha", people)
    me = people["alpha"]
    harness.in_tenant("alpha", seed_bills, [me["number"]], MONTH, 1)
    batch_id, _ = harness.in_tenant("alpha", create_batch, MONTH)
    tenant = harness.tenant("alpha")
    mail = harness.hall.deployment.mail
    monkeypatch.setattr(mail, "port", closed_port())
    t0 = dt.datetime.now(UTC)

    def run_at(moment):
        return harness.in_tenant(
            "alpha", lambda: BatchSender(harness.hall, tenant, batch_id, clock=lambda: moment).run()
        )

    result = run_at(t0)
    assert (result.sent, result.failed, result.finished) == (0, 1, False)
    [row] = sends(harness, "alpha")
    assert row["state"] == "failed" and row["attempts"] == 1 and "ConnectionRefused" in row["last_error"]
    assert row["next_attempt_at"] == t0 + dt.timedelta(minutes=10)
    assert run_at(t0 + dt.timedelta(minutes=5)).failed == 0  # not due yet: not tried
    assert run_at(t0 + dt.timedelta(minutes=11)).failed == 1  # second failure: the wait doubles
    assert sends(harness, "alpha")[0]["next_attempt_at"] == t0 + dt.timedelta(minutes=31)
    monkeypatch.setattr(mail, "port", mail_sink.port)  # the server is back
    result = run_at(t0 + dt.timedelta(minutes=32))
    assert (result.sent, result.finished) == (1, True)
    [row] = sends(harness, "alpha")
    assert row["state"] == "sent" and row["attempts"] == 3 and row["last_error"] == ""
    assert len(mails_to(mail_sink, me["email"])) == 1


def test_retries_stop_after_max_attempts(hall_factory, mail_sink, monkeypatch):
    harness, people = build(hall_factory, alpha_settings={"max_attempts": 2, "retry_minutes": 1})
    subscribe(harness, "alpha", people)
    harness.in_tenant("alpha", seed_bills, [people["alpha"]["number"]], MONTH, 1)
    batch_id, _ = harness.in_tenant("alpha", create_batch, MONTH)
    monkeypatch.setattr(harness.hall.deployment.mail, "port", closed_port())
    t0 = dt.datetime.now(UTC)
    for minutes in (0, 2, 10):
        harness.in_tenant(
            "alpha",
            lambda m=minutes: BatchSender(
                harness.hall, harness.tenant("alpha"), batch_id, clock=lambda: t0 + dt.timedelta(minutes=m)
            ).run(),
        )
    [row] = sends(harness, "alpha")
    assert (
        row["state"] == "failed" and row["attempts"] == 2 and row["next_attempt_at"] is None
    )  # given up: an operator's turn
    assert harness.in_tenant("alpha", lambda: Batch.select(Batch.finished_at).first())["finished_at"] is not None


def test_a_dead_senders_sending_rows_become_uncertain_and_are_not_resent(world, mail_sink):
    harness, people = world
    subscribe(harness, "alpha", people)
    me = people["alpha"]
    harness.in_tenant("alpha", seed_bills, [me["number"]], MONTH, 1)
    batch_id, _ = harness.in_tenant("alpha", create_batch, MONTH)
    t0 = dt.datetime.now(UTC)

    async def crashed_sender():  # what a sender killed between its claim and the server's answer leaves behind
        await Batch.update({Batch.lease_owner: "dead", Batch.lease_until: t0 + dt.timedelta(seconds=120)}).where(
            Batch.id == batch_id
        )
        await Send.update({Send.state: "sending", Send.claimed_by: "dead", Send.attempts: 1}).where(
            Send.batch == batch_id
        )

    harness.in_tenant("alpha", crashed_sender)
    tenant = harness.tenant("alpha")
    busy = harness.in_tenant("alpha", lambda: BatchSender(harness.hall, tenant, batch_id, clock=lambda: t0).run())
    assert busy.status == "busy" and sends(harness, "alpha")[0]["state"] == "sending"  # the lease still holds
    later = t0 + dt.timedelta(seconds=121)
    result = harness.in_tenant("alpha", lambda: BatchSender(harness.hall, tenant, batch_id, clock=lambda: later).run())
    assert (result.status, result.marked_uncertain, result.sent, result.finished) == ("done", 1, 0, True)
    [row] = sends(harness, "alpha")
    assert row["state"] == "uncertain" and "stopped" in row["last_error"]
    assert mails_to(mail_sink, me["email"]) == []


def test_unsubscribing_cancels_the_queued_mail(world, mail_sink):
    harness, people = world
    subscribe(harness, "alpha", people)
    me = people["alpha"]
    harness.in_tenant("alpha", seed_bills, [me["number"]], MONTH, 1)
    harness.in_tenant("alpha", create_batch, MONTH)
    assert login(harness, "alpha", me["number"]).post("/billmail/stop", {"number": me["number"]}).status_code == 303
    run_tick(harness, "alpha")
    assert [s["state"] for s in sends(harness, "alpha")] == ["cancelled"] and mails_to(mail_sink, me["email"]) == []


def test_the_scheduled_job_is_registered_and_waits_for_the_bills_sync(world, mail_sink):
    from core.jobs import make_runner

    harness, people = world
    subscribe(harness, "alpha", people)
    me = people["alpha"]
    runner = make_runner(harness.hall)
    assert runner.jobs["billmail.tick"].every_minutes == 10
    harness.in_tenant("alpha", seed_bills, [me["number"]], MONTH, 1, False)  # the sync is still writing the month
    harness.run(runner.run_now("billmail.tick", "alpha"))
    assert harness.in_tenant("alpha", lambda: Batch.select()) == [] and mails_to(mail_sink, me["email"]) == []
    harness.in_tenant("alpha", mark_synced, dt.datetime.now(UTC) + dt.timedelta(seconds=1))  # the sync finished
    harness.run(runner.run_now("billmail.tick", "alpha"))
    harness.run(runner.run_now("billmail.tick", "alpha"))
    assert len(mails_to(mail_sink, me["email"])) == 1 and [s["state"] for s in sends(harness, "alpha")] == ["sent"]
