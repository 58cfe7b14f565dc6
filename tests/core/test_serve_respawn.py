"""``hall serve --workers 2``: a web worker killed with SIGKILL is replaced, the other one keeps serving, the server stays up."""

from __future__ import annotations

import os
import signal

from core.testing import TenantSpec, write_hall
from core.testing.served import served_hall, wait_for


def _answers(served) -> bool:
    """One request; a connection the kernel had queued on a dead worker's own listening socket is reset
    (unless net.ipv4.tcp_migrate_req=1, docs/deploying.md): that is all a crash may cost a client."""
    try:
        status, body = served.get("/t/alpha/")
    except OSError:
        return False
    assert status == 200, body[-2000:]
    return True


def test_a_killed_worker_is_respawned_and_the_hall_keeps_answering(hall_databases, tmp_path):
    url = hall_databases.fresh(tmp_path)
    config = write_hall(tmp_path / "hall", [TenantSpec("alpha", connector={})], database_url=url)
    try:
        with served_hall(config, workers=2) as served:
            workers = wait_for(lambda: len(served.workers()) == 2 and served.workers(), "two granian workers")
            wait_for(lambda: served.output().count("Started worker") == 2, "both workers started")
            victim, survivor = workers
            os.kill(victim, signal.SIGKILL)
            replacement = wait_for(
                lambda: [p for p in served.workers() if p not in workers], "a new worker in place of the killed one"
            )
            assert (
                survivor in served.workers() and served.proc.poll() is None
            )  # the other worker and the server lived on
            wait_for(lambda: _answers(served), "an answer after the crash")
            wait_for(lambda: served.output().count("Started worker") == 3, "the replacement started")
            assert all(_answers(served) for _ in range(20))  # every request answered again, by either worker
            assert "Respawning worker" in served.output()

            # the other worker crashes too: replaced the same way. (Only the same worker dying again within
            # granian's 5.5 s of its respawn counts as a crash loop and stops `hall serve`, for systemd to restart it.)
            os.kill(survivor, signal.SIGKILL)
            wait_for(lambda: len(served.workers()) == 2 and survivor not in served.workers(), "the second replacement")
            wait_for(lambda: served.output().count("Started worker") == 4, "the second replacement started")
            assert all(_answers(served) for _ in range(20))
            assert served.proc.poll() is None and replacement[0] in served.workers()
    finally:
        hall_databases.drop(url)
