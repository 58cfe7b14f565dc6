"""What a job is: a name, an idempotent async function, and optionally a schedule."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Awaitable, Callable

log = logging.getLogger("hall.jobs")


@dataclass(frozen=True)
class Job:
    name: str  # "<plugin>.<job>", unique
    func: Callable[..., Awaitable[object]]  # async fn(hall, tenant_id, **kwargs); must be safe to run twice
    every_minutes: int | None = None  # periodic: run for every tenant this often
    plugin: str = "core"

    def __post_init__(self):
        m = self.every_minutes
        if m is not None and not ((m < 60 and 60 % m == 0) or (m % 60 == 0 and 24 % (m // 60) == 0)):
            raise ValueError(
                f"job {self.name}: every_minutes={m} must divide an hour or, in whole hours, a day (a cron schedule)"
            )

    @property
    def cron(self) -> str | None:
        if self.every_minutes is None:
            return None
        if self.every_minutes < 60:
            return f"*/{self.every_minutes} * * * *"
        return f"0 */{self.every_minutes // 60} * * *"


def all_jobs(hall) -> dict[str, Job]:
    from core.utils import flatten

    jobs: dict[str, Job] = {}
    for plugin, declared in hall.plugins.per_plugin("register_jobs", hall=hall).items():
        for job in flatten([declared]):
            if job.name in jobs:
                raise ValueError(f"job {job.name!r} declared twice")
            jobs[job.name] = Job(job.name, job.func, job.every_minutes, plugin)
    return jobs


async def run_for_tenants(hall, job: Job, tenant_id: str | None = None, **kwargs) -> None:
    """Run ``job`` for one tenant, or for every tenant that enables the job's plugin."""
    from core.plugins import is_always_on
    from core.tenancy import tenant_scope

    everyone = job.plugin == "core" or is_always_on(job.plugin)
    tenants = (
        [hall.tenants.get(tenant_id)] if tenant_id else [t for t in hall.tenants if everyone or t.enables(job.plugin)]
    )
    for tenant in tenants:
        if tenant is None:
            continue
        with tenant_scope(tenant):
            await job.func(hall, tenant.id, **kwargs)


async def run_logged(hall, job: Job, tenant_id: str | None = None, *, level: int = logging.INFO, **kwargs) -> None:
    """:func:`run_for_tenants` with a line when the job starts, ends (with its duration) or fails (re-raised).

    ``level``: of the start and end lines (a failure is always an error). ``hall worker`` logs them at
    INFO; a web process that runs the schedule itself (SQLite) at DEBUG, so a terminal is not flooded
    with a line per job a minute (the demo prints its one-time codes there).
    """
    where = f"tenant {tenant_id}" if tenant_id else "every tenant"
    log.log(level, "job %s started (%s)", job.name, where)
    started = time.perf_counter()
    try:
        await run_for_tenants(hall, job, tenant_id, **kwargs)
    except Exception:
        log.exception("job %s failed after %.3f s (%s)", job.name, time.perf_counter() - started, where)
        raise
    log.log(level, "job %s finished in %.3f s (%s)", job.name, time.perf_counter() - started, where)
