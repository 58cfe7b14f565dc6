"""Jobs of a dead worker run again: procrastinate's heartbeats and stalled-job retrieval.

Every ``hall worker`` records a heartbeat every ``[jobs] heartbeat_seconds``.
A worker silent for ``stalled_after_seconds`` (``kill -9``, a lost machine,
the OOM killer) is dead; the jobs it left ``doing`` are put back in the queue
by whichever live worker looks first - at its start and then every
heartbeat. Jobs are idempotent (core.jobs.spec), so running one again after a
crash half-way is safe; the outbox's claims of the dead run are freed by
``core.legacy.outbox.free_stale_claims`` (a claim outlives no live write).
"""

from __future__ import annotations

import asyncio
import logging

log = logging.getLogger("hall.jobs")


async def retry_stalled(app, stalled_after_seconds: float) -> list[int]:
    """Requeue the jobs of workers without a heartbeat for ``stalled_after_seconds``; returns their ids."""
    retried = []
    for job in await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled_after_seconds):
        try:
            await app.job_manager.retry_job(job)
        except Exception as exc:  # another worker requeued it first (it is no longer "doing")
            log.debug("stalled job %s not retried here: %s", job.id, exc)
            continue
        retried.append(job.id)
        log.warning(
            "job %s (id %s) was left running by a dead worker (worker %s): queued again",
            job.task_name,
            job.id,
            job.worker_id,
        )
    return retried


async def watch_stalled(app, stalled_after_seconds: float, every_seconds: float) -> None:
    """Run :func:`retry_stalled` now and then every ``every_seconds``, until cancelled."""
    while True:
        try:
            await retry_stalled(app, stalled_after_seconds)
        except Exception:  # a database hiccup must not end the watch
            log.exception("checking for stalled jobs failed; trying again in %.0f s", every_seconds)
        await asyncio.sleep(every_seconds)
