"""kill -9 a sender mid-batch and start it again: nobody gets the month's mail twice.

The child (billmail_crash_driver.py) runs the real BatchSender on the test
hall's database (SQLite, or PostgreSQL with HALL_TEST_DB=postgres) against the
session's aiosmtpd sink. The contract (docs/billmail.md) is honest about what a
crash costs: mails that were claimed but whose SMTP answer was never recorded
become ``uncertain`` - maybe delivered, maybe not - and wait for an operator.
So after any number of kills: every address received at most one mail; every
``sent`` row was received exactly once; nothing is left queued; the uncertain
rows are few (claimed chunks in flight at a kill) and each reached the sink at
most once.
"""

from __future__ import annotations

import collections
import datetime as dt
from pathlib import Path

from billmail_support import CHUNK, MONTH, mailing_hall

from core.testing.crash import child_env, kill_and_resume, kill_at, python, run_once
from plugins.billmail.tables import Batch, Send

DRIVER = str(Path(__file__).with_name("billmail_crash_driver.py"))


def received(sink, tag: str) -> collections.Counter:
    """Mails the sink holds for this test's addresses, by address."""
    return collections.Counter(m["To"] for m in list(sink.messages) if f"kill-{tag}-" in (m["To"] or ""))


def check_never_twice(harness, sink, tag: str, subscribers: int) -> dict[str, int]:
    rows = harness.in_tenant("alpha", lambda: Send.select(Send.email, Send.state))
    got = received(sink, tag)
    states = collections.Counter(r["state"] for r in rows)
    assert len(rows) == subscribers and set(states) <= {"sent", "uncertain"}, states  # nothing left queued or sending
    assert max(got.values(), default=0) == 1, [a for a, n in got.items() if n > 1]  # never twice
    for row in rows:
        if row["state"] == "sent":
            assert got[row["email"]] == 1, row  # recorded sent: really delivered, once
    assert sum(got.values()) >= states["sent"]
    batch = harness.in_tenant("alpha", lambda: Batch.select(Batch.finished_at, Batch.lease_owner).first())
    assert batch["finished_at"] is not None and batch["lease_owner"] == ""
    return dict(states)


def test_killed_right_after_a_claim_the_restart_sends_the_rest_once(hall_factory, mail_sink):
    harness, tag = mailing_hall(hall_factory, 20)
    env = child_env(HALL_CONFIG=str(harness.hall.settings.config_file))
    # the 3rd claim is committed; chunk 2 is with the SMTP threads, chunk 3 was never handed over
    killed = kill_at(python(DRIVER, "alpha", MONTH, "0"), "claimed#3", env=env)
    assert killed.killed
    resumed = run_once(python(DRIVER, "alpha", MONTH, "5"), env=env)
    assert resumed.returncode == 0, resumed.output[-20:]
    states = check_never_twice(harness, mail_sink, tag, 20)
    # chunks 2 and 3 (at most 2 x CHUNK mails) were in flight: uncertain, for an operator; chunk 3 never reached the sink
    assert states["uncertain"] == 2 * CHUNK and states["sent"] == 20 - 2 * CHUNK
    assert sum(received(mail_sink, tag).values()) <= 20 - CHUNK
    done = [line for line in resumed.output if line.startswith("done")][0].split()
    assert done[1] == "done" and int(done[5]) == 2 * CHUNK  # the restart marked them itself


def test_killed_at_random_moments_nobody_gets_the_mail_twice(hall_factory, mail_sink):
    harness, tag = mailing_hall(hall_factory, 40)
    env = child_env(HALL_CONFIG=str(harness.hall.settings.config_file))
    # each start's clock is 5 minutes further on: the killed sender's lease (120 s) has run out
    run = kill_and_resume(
        lambda n: python(DRIVER, "alpha", MONTH, str(5 * n)), env=env, seed=11, kills=4, after=(1, 4), delay=(0.0, 0.03)
    )
    assert run.kills >= 2
    states = check_never_twice(harness, mail_sink, tag, 40)
    assert states["uncertain"] <= run.kills * 2 * CHUNK and states.get("sent", 0) >= 40 - run.kills * 2 * CHUNK


def test_an_operator_resends_an_uncertain_mail_once(hall_factory, mail_sink):
    from plugins.billmail.resend import resend

    harness, tag = mailing_hall(hall_factory, 8)
    env = child_env(HALL_CONFIG=str(harness.hall.settings.config_file))
    kill_at(python(DRIVER, "alpha", MONTH, "0"), "claimed#1", env=env)  # nothing handed to SMTP yet
    assert run_once(python(DRIVER, "alpha", MONTH, "5"), env=env).returncode == 0
    uncertain = harness.in_tenant(
        "alpha", lambda: Send.select(Send.id, Send.email).where(Send.state == "uncertain").order_by(Send.id)
    )
    assert len(uncertain) == CHUNK and all(received(mail_sink, tag)[r["email"]] == 0 for r in uncertain)
    outcome = harness.in_tenant("alpha", resend, harness.hall, harness.tenant("alpha"), uncertain[0]["id"])
    assert outcome == ("sent", "")
    assert received(mail_sink, tag)[uncertain[0]["email"]] == 1
    assert (
        dt.datetime.now(dt.timezone.utc)
        > harness.in_tenant("alpha", lambda: Send.select(Send.sent_at).where(Send.id == uncertain[0]["id"]).first())[
            "sent_at"
        ]
    )
