"""Two runners with one interface: procrastinate on PostgreSQL, in-process on SQLite."""

from __future__ import annotations

import asyncio
import logging
import time

from core.jobs.spec import Job, all_jobs, run_for_tenants, run_logged

log = logging.getLogger("hall.jobs")


FIRST_ROUND_DONE = "first round of periodic jobs done"  # logged once at start: tests that seed rows wait for it


class InProcessRunner:
    """Embedded default: deferred jobs run as tasks of this process; periodic ones on a timer.

    Every periodic job runs once at start (the reconciliation and the syncs
    catch up at once after a restart), then each on its own period.
    """

    kind = "in-process"

    def __init__(self, hall, *, log_level: int = logging.INFO):
        self.hall = hall
        self.log_level = log_level  # of each job's start and end lines (core.jobs.spec.run_logged)
        self.jobs = all_jobs(hall)
        self._tasks: set[asyncio.Task] = set()
        self._last_run: dict[str, float] = {}

    async def start(self, *, schedule: bool = True) -> None:
        if schedule:
            self._spawn(self._scheduler())

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()

    def _spawn(self, coro) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def defer(self, name: str, tenant_id: str | None = None, **kwargs) -> None:
        self._spawn(self.run_now(name, tenant_id, **kwargs))

    async def run_now(self, name: str, tenant_id: str | None = None, **kwargs) -> None:
        try:
            await run_logged(self.hall, self.jobs[name], tenant_id, level=self.log_level, **kwargs)
        except Exception:  # logged by run_logged; retried on its next tick, never crashes the web process
            pass

    async def run_due(self, now: float | None = None) -> list[str]:
        now = time.monotonic() if now is None else now
        ran = []
        for job in self.jobs.values():
            if job.every_minutes is None:
                continue
            last = self._last_run.get(job.name)
            if last is None or now - last >= job.every_minutes * 60:
                self._last_run[job.name] = now
                await self.run_now(job.name)
                ran.append(job.name)
        return ran

    async def _scheduler(self) -> None:
        ran = await self.run_due()
        log.info("%s: %s (%d jobs)", self.kind, FIRST_ROUND_DONE, len(ran))
        while True:
            await asyncio.sleep(20)
            await self.run_due()


class ProcrastinateRunner:
    """PostgreSQL: jobs are procrastinate tasks; ``hall worker`` processes run them."""

    kind = "procrastinate"

    def __init__(self, hall):
        import procrastinate

        self.hall = hall
        self.jobs = all_jobs(hall)
        self.app = procrastinate.App(
            connector=procrastinate.PsycopgConnector(conninfo=hall.db.url.replace("postgres://", "postgresql://"))
        )
        self.tasks = {name: self._register(job) for name, job in self.jobs.items()}
        self._open = None

    def _register(self, job: Job):
        hall = self.hall

        async def task(tenant_id: str | None = None, **kwargs):
            await run_logged(hall, job, tenant_id, **kwargs)

        task.__name__ = job.name.replace(".", "_")
        registered = self.app.task(name=job.name, queue="hall", pass_context=False)(task)
        if job.cron:

            async def periodic(timestamp: int):
                await run_logged(hall, job)

            periodic.__name__ = task.__name__ + "_periodic"
            self.app.periodic(cron=job.cron, periodic_id=job.name)(
                self.app.task(name=job.name + ".periodic", queue="hall")(periodic)
            )
        return registered

    async def start(self, *, schedule: bool = False) -> None:
        self._open = self.app.open_async()
        await self._open.__aenter__()

    async def stop(self) -> None:
        if self._open is not None:
            await self._open.__aexit__(None, None, None)
            self._open = None

    async def defer(self, name: str, tenant_id: str | None = None, **kwargs) -> None:
        await self.tasks[name].defer_async(tenant_id=tenant_id, **kwargs)

    async def run_now(self, name: str, tenant_id: str | None = None, **kwargs) -> None:
        await run_for_tenants(self.hall, self.jobs[name], tenant_id, **kwargs)

    async def ensure_schema(self) -> bool:
        """Apply procrastinate's schema once (``hall migrate``); True when it was applied now."""
        async with self.app.open_async():
            rows = await self.app.connector.execute_query_one_async(
                "SELECT to_regclass('procrastinate_jobs') IS NOT NULL AS present"
            )
            if rows["present"]:
                return False
            await self.app.schema_manager.apply_schema_async()
            return True

    async def work(self, *, wait: bool = True) -> None:
        """Run jobs until stopped (or, ``wait=False``, until the queue is empty), after requeueing dead workers' jobs."""
        from core.jobs.recovery import retry_stalled, watch_stalled

        settings = self.hall.deployment.jobs
        async with self.app.open_async():
            await retry_stalled(self.app, settings.stalled_after_seconds)
            watch = (
                asyncio.create_task(watch_stalled(self.app, settings.stalled_after_seconds, settings.heartbeat_seconds))
                if wait
                else None
            )
            try:
                await self.app.run_worker_async(
                    queues=["hall"],
                    wait=wait,
                    install_signal_handlers=wait,
                    concurrency=settings.concurrency,
                    update_heartbeat_interval=settings.heartbeat_seconds,
                    stalled_worker_timeout=settings.stalled_after_seconds,
                )
            finally:
                if watch is not None:
                    watch.cancel()
                    await asyncio.gather(watch, return_exceptions=True)


def make_runner(hall, *, job_log_level: int = logging.INFO):
    """In-process on SQLite, procrastinate on PostgreSQL. ``job_log_level``: of the in-process runner's job lines."""
    return InProcessRunner(hall, log_level=job_log_level) if hall.db.is_sqlite else ProcrastinateRunner(hall)
