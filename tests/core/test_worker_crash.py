"""kill -9 a real ``hall worker`` mid-job (PostgreSQL): another worker notices the silent heartbeat and runs the job again, once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import crashtest_plugin
from core.jobs import make_runner
from core.testing import TenantSpec
from core.testing.crash import child_env, kill_at
from core.testing.databases import engine_under_test
from core.testing.served import stop, wait_for

pytestmark = pytest.mark.skipif(
    engine_under_test() != "postgres", reason="procrastinate workers run on PostgreSQL (HALL_TEST_DB=postgres)"
)

HALL = str(Path(sys.executable).with_name("hall"))
JOBS = {"heartbeat_seconds": 0.5, "stalled_after_seconds": 2}  # short, so that the test does not wait a minute


def install_plugin(folder: Path) -> str:
    """A .dist-info declaring the entry point, next to nothing else: PYTHONPATH for the child."""
    info = folder / "hall_crashtest-0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: hall-crashtest\nVersion: 0\n")
    (info / "entry_points.txt").write_text("[hall]\ncrashtest = crashtest_plugin\n")
    return os.pathsep.join([str(folder), str(Path(crashtest_plugin.__file__).parent)])


def jobs(h) -> list[dict]:
    async def go():
        runner = make_runner(h.hall)
        async with runner.app.open_async():
            return await runner.app.connector.execute_query_all_async(
                "SELECT id, status, attempts FROM procrastinate_jobs WHERE task_name = 'crashtest.slow'"
            )

    return h.run(go())


def stalled(h) -> list:
    async def go():
        runner = make_runner(h.hall)
        async with runner.app.open_async():
            return await runner.app.job_manager.get_stalled_jobs(seconds_since_heartbeat=JOBS["stalled_after_seconds"])

    return h.run(go())


def test_a_job_of_a_killed_worker_is_run_again_once(hall_factory, tmp_path):
    h = hall_factory(
        [TenantSpec("alpha", plugins=["crashtest"], connector={})],
        extra_plugins={"crashtest": crashtest_plugin},
        deployment={"jobs": JOBS},
    )
    journal = tmp_path / "journal.txt"
    env = child_env(
        HALL_CONFIG=str(h.hall.settings.config_file),
        CRASHTEST_JOURNAL=str(journal),
        PYTHONPATH=install_plugin(tmp_path / "site") + os.pathsep + child_env()["PYTHONPATH"],
    )

    async def defer():
        runner = make_runner(h.hall)
        await runner.start()
        try:
            await runner.defer("crashtest.slow", "alpha", mark="m1")
        finally:
            await runner.stop()

    h.run(defer())

    killed = kill_at([HALL, "worker"], "slow", env=env)  # the first worker stops mid-job and gets SIGKILL
    assert "hall worker started: engine procrastinate (PostgreSQL)" in "\n".join(killed.output)
    assert [j["status"] for j in jobs(h)] == ["doing"]  # left running by a dead worker: nothing else would retry it
    assert journal.read_text().split()[0:2] == ["start", "m1"] and "done" not in journal.read_text()

    log = tmp_path / "second-worker.log"
    with log.open("wb") as out:
        second = subprocess.Popen(
            [HALL, "worker"], env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            # the second worker's periodic check finds the job once the first one's heartbeat is stale, and runs it
            wait_for(lambda: "done m1" in journal.read_text(), "the second worker to finish the job", every=0.2)
            wait_for(lambda: [j["status"] for j in jobs(h)] == ["succeeded"], "the job marked succeeded")
        finally:
            second.send_signal(signal.SIGTERM)
            try:
                second.wait(timeout=30)
            except subprocess.TimeoutExpired:
                stop(second)
    output = log.read_text()
    assert "left running by a dead worker" in output and "queued again" in output
    assert "job crashtest.slow started (tenant alpha)" in output and "job crashtest.slow finished in" in output
    assert journal.read_text().count("done m1") == 1  # exactly once to the end
    assert journal.read_text().count("start m1") == 2  # started twice: the killed attempt and the retry
    assert second.returncode == 0 and "hall worker stopped" in output
    assert stalled(h) == []
