"""``hall billmail send`` and ``status``, run as the command an operator types (a child process on the test hall)."""

from __future__ import annotations

import subprocess

from billmail_support import MONTH, mailing_hall, mails_to, seed_bills

from core.testing.crash import child_env, python


def hall(env, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(python("-m", "core.cli", "billmail", *args), env=env, capture_output=True, text=True)


def test_send_then_status_then_nothing_left(hall_factory, mail_sink):
    harness, tag = mailing_hall(hall_factory, 6)
    env = child_env(HALL_CONFIG=str(harness.hall.settings.config_file))
    first = hall(env, "send", "--tenant", "alpha")
    assert first.returncode == 0, first.stdout + first.stderr
    assert f"alpha {MONTH} batch" in first.stdout and "(new)" in first.stdout and "this run sent 6" in first.stdout
    again = hall(env, "send", "--tenant", "alpha", "--month", MONTH)
    assert again.returncode == 0 and "this run sent 0" in again.stdout and "(new)" not in again.stdout
    status = hall(env, "status", "--tenant", "alpha")
    assert status.returncode == 0 and f"{MONTH} batch" in status.stdout and "(finished): sent 6" in status.stdout
    assert sum(len(mails_to(mail_sink, f"kill-{tag}-{i}@example.com")) for i in range(6)) == 6


def test_send_refuses_bad_input(hall_factory):
    harness, _tag = mailing_hall(hall_factory, 1)
    env = child_env(HALL_CONFIG=str(harness.hall.settings.config_file))
    no_bills = hall(env, "send", "--tenant", "alpha", "--month", "2020-01")
    assert no_bills.returncode == 1 and "no bills for 2020-01" in no_bills.stdout
    assert hall(env, "send", "--tenant", "alpha", "--month", "2020-13").returncode == 2
    assert hall(env, "send", "--tenant", "nobody").returncode == 2


def test_send_without_a_synced_month_says_so(hall_factory):
    from core.api.testing import TenantSpec

    harness = hall_factory([TenantSpec("alpha", plugins=["billmail"])])
    harness.in_tenant("alpha", seed_bills, ["13800000001"], MONTH, 1, False)  # written, but the sync has not finished
    env = child_env(HALL_CONFIG=str(harness.hall.settings.config_file))
    result = hall(env, "send", "--tenant", "alpha")
    assert result.returncode == 1 and "no month whose bills have fully synced" in result.stdout
