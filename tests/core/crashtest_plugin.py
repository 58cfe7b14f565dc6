"""A plugin for the worker crash test: one job that records its start, may halt to be killed, and records its end.

Installed into a child ``hall worker`` as an outside plugin would be (an entry
point of group ``hall``, from a ``.dist-info`` folder on PYTHONPATH).
"""

from __future__ import annotations

import os
from pathlib import Path

from core.hookspecs import hookimpl
from core.jobs import Job
from core.testing.crash import checkpoint


async def slow(hall, tenant_id: str, mark: str) -> None:
    journal = Path(os.environ["CRASHTEST_JOURNAL"])
    with journal.open("a") as out:
        out.write(f"start {mark} {os.getpid()}\n")
    checkpoint("slow", mark)  # with HALL_CRASH_AT=slow the worker stops here, mid-job, and is killed
    with journal.open("a") as out:
        out.write(f"done {mark} {os.getpid()}\n")


@hookimpl
def register_jobs(hall):
    return [Job("crashtest.slow", slow)]
