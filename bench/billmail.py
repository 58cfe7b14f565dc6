"""Monthly bill e-mail: a batch for N subscribers through the real sender to a local aiosmtpd server, against raw smtplib.

In one run, on one engine:

1. an aiosmtpd sink starts in its own process on loopback (it counts mails
   and bytes by Message-ID prefix, and distinct Message-IDs, and keeps nothing);
2. a hall is written (core.testing.write_hall) and migrated; N subscriptions,
   N bills of the month with 4 items each and ``--calls`` call records per
   number are seeded in bulk (core.db.bulk), not through sign-up;
3. **hall**: ``create_batch`` (queues N send rows) and ``BatchSender.run()``
   with its default settings (4 SMTP connections, chunks of 50), a rich
   progress bar on stderr; then every row must be ``sent`` and the sink must
   hold N distinct billmail Message-IDs (never twice);
4. **baseline**: raw ``smtplib`` over the same number of persistent
   connections (one thread each) sends N messages of the hall's mean mail size
   to the same sink: the floor that SMTP and the sink alone cost.

Prints one JSON object as the last line of stdout: mails/s, seconds, the
baseline's, their ratio, the 300 s target, the machine's load and where the
sender's own time went (claim, load, build, record; SMTP overlaps them).

    .venv/bin/python bench/billmail.py [--mails 100000] [--engine sqlite|postgres] [--calls 8]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import resource
import signal
import smtplib
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import REPO, emit, free_port, log, scratch_dir  # noqa: E402

MONTH = "2026-10"
TARGET_S = 300
UTC = dt.timezone.utc


# -- the sink (its own process: it must not share the sender's GIL) ---------------------------------------------------


class Counting:
    def __init__(self) -> None:
        self.by_prefix: dict[str, list[int]] = {}
        self.ids: set[str] = set()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler protocol
        data = envelope.content
        head = data[: data.find(b"\r\n\r\n")]
        mid = next(
            (line[12:].strip().decode() for line in head.split(b"\r\n") if line.lower().startswith(b"message-id:")), ""
        )
        prefix = mid[1 : mid.find(".")] if "." in mid else "?"
        entry = self.by_prefix.setdefault(prefix, [0, 0])
        entry[0] += 1
        entry[1] += len(data)
        self.ids.add(mid)
        return "250 OK"


def serve_sink(port: int) -> None:
    from aiosmtpd.smtp import SMTP

    async def main() -> None:
        handler = Counting()
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: SMTP(handler, hostname="sink.localhost"), "127.0.0.1", port)
        stop = asyncio.Event()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        print("ready", flush=True)
        await stop.wait()
        server.close()
        usage = resource.getrusage(resource.RUSAGE_SELF)
        print(
            json.dumps(
                {
                    "by_prefix": handler.by_prefix,
                    "distinct_ids": len(handler.ids),
                    "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
                }
            ),
            flush=True,
        )

    asyncio.run(main())


def start_sink(port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, __file__, "--serve-sink", str(port)], stdout=subprocess.PIPE, text=True, cwd=REPO
    )
    assert proc.stdout.readline().strip() == "ready", "the sink did not start"
    return proc


def stop_sink(proc: subprocess.Popen) -> dict:
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=60)
    return json.loads(out.strip().splitlines()[-1])


# -- the hall ---------------------------------------------------------------------------------------------------------


async def seed(mails: int, calls: int) -> None:
    """N subscriptions, bills, items and call records for the current tenant, in bulk, 20,000 rows a transaction."""
    from core.db import transaction
    from core.db.bulk import analyze, bulk_upsert
    from core.legacy.billing_tables import Bill, BillItem, CallRecord
    from core.legacy.tables import SyncState
    from plugins.billmail.tables import Subscription

    now = dt.datetime.now(UTC)
    start = dt.datetime(2026, 10, 1, 8, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    items = (
        ("BASE", "月基本费", 5800),
        ("VOICE", "语音通话费", 1230),
        ("DATA", "上网流量费", 2000),
        ("SMS", "短信费", 110),
    )
    step = 20_000 // max(calls, 4)
    for lo in range(0, mails, step):
        numbers = [(i, f"139{i:08d}") for i in range(lo, min(lo + step, mails))]
        async with transaction():
            await bulk_upsert(
                Subscription,
                ("number", "account_id", "email", "language", "active", "created_at", "changed_at"),
                [(n, i + 1, f"user{i}@bench.example", "zh_CN", True, now, now) for i, n in numbers],
                key=("number",),
                mostly_new=True,
            )
            await bulk_upsert(
                Bill,
                ("legacy_id", "number", "month", "amount_fen", "paid_fen", "status", "due_date", "synced_at"),
                [(f"B{i}", n, MONTH, 9140 + i % 100, 0, "unpaid", dt.date(2026, 11, 15), now) for i, n in numbers],
                mostly_new=True,
            )
            await bulk_upsert(
                BillItem,
                ("legacy_id", "bill_legacy_id", "position", "code", "name", "amount_fen"),
                [
                    (f"B{i}/{p}", f"B{i}", p, c, name, fen + (i % 100 if p == 0 else 0))
                    for i, _n in numbers
                    for p, (c, name, fen) in enumerate(items)
                ],
                mostly_new=True,
            )
            await bulk_upsert(
                CallRecord,
                ("legacy_id", "number", "started_at", "duration_s", "called_number", "call_type", "charge_fen"),
                [
                    (
                        f"C{i}/{k}",
                        n,
                        start + dt.timedelta(days=k * 3, minutes=i % 600),
                        30 + k * 17,
                        f"1380013{k:04d}",
                        "local",
                        10 * k,
                    )
                    for i, n in numbers
                    for k in range(calls)
                ],
                mostly_new=True,
            )
    await SyncState.insert(SyncState(kind="bills", last_run_at=now, last_success_at=now))
    for table in (Subscription, Bill, BillItem, CallRecord):  # as the sync leaves a big load (core.db.bulk.analyze)
        await analyze(table)


class StepTimes:
    """Wall time the sender's event loop spends in each step (wrapping the module's functions for this run)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def wrap(self, module, name: str, is_async: bool = True) -> None:
        original = getattr(module, name)

        async def timed_async(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - t0

        def timed(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - t0

        setattr(module, name, timed_async if is_async else timed)


async def run_hall(config: Path, tenant_id: str, mails: int, calls: int) -> dict:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from core.db.migrate import migrate
    from core.hall import Hall
    from core.tenancy import tenant_scope
    from plugins.billmail import sender as sender_module
    from plugins.billmail.batches import counts, create_batch

    hall = Hall.from_config(config, connect_tenants=False)
    await hall.db.connect()
    tenant = hall.tenants.get(tenant_id)
    try:
        await migrate(hall)
        with tenant_scope(tenant):
            t0 = time.perf_counter()
            await seed(mails, calls)
            log(
                f"seeded {mails} subscribers, bills and {mails * calls} call records in {time.perf_counter() - t0:.1f} s"
            )
            steps = StepTimes()
            for name in ("claim", "load_chunk", "record"):
                steps.wrap(sender_module, name)
            steps.wrap(sender_module, "build", is_async=False)
            load_before = os.getloadavg()
            cpu0 = resource.getrusage(resource.RUSAGE_SELF)
            started = time.perf_counter()
            batch_id, _ = await create_batch(MONTH)
            created = time.perf_counter() - started
            columns = (
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
            )
            with Progress(*columns, console=Console(stderr=True), refresh_per_second=4) as progress:
                task = progress.add_task(f"billmail {MONTH}", total=mails)
                sender = sender_module.BatchSender(
                    hall,
                    tenant,
                    batch_id,
                    progress=lambda r: progress.update(task, completed=r.sent + r.failed + r.uncertain),
                )
                result = await sender.run()
            seconds = time.perf_counter() - started
            cpu1 = resource.getrusage(resource.RUSAGE_SELF)
            by_state = await counts(batch_id)
        if by_state != {"sent": mails} or result.status != "done" or not result.finished:
            raise SystemExit(f"the batch did not send every mail once: {by_state}, {result}")
        return {
            "seconds": round(seconds, 1),
            "create_batch_s": round(created, 1),
            "cpu_s": round(cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime, 1),
            "steps_s": {k: round(v, 1) for k, v in sorted(steps.seconds.items())},
            "load_before": [round(x, 2) for x in load_before],
            "load_after": [round(x, 2) for x in os.getloadavg()],
            "connections": sender.settings.connections,
            "claim_chunk": sender.settings.claim_chunk,
        }
    finally:
        await hall.db.disconnect()


# -- the baseline -----------------------------------------------------------------------------------------------------


def baseline(port: int, mails: int, size: int, connections: int) -> float:
    """Raw smtplib: ``mails`` messages of ``size`` bytes over ``connections`` persistent connections, one thread each."""
    filler = b"x" * 76 + b"\r\n"

    def message(i: int) -> bytes:
        head = (
            f"From: bench@hall.localhost\r\nTo: user{i}@bench.example\r\nSubject: baseline\r\n"
            f"Message-ID: <baseline.{i}@hall.localhost>\r\n\r\n"
        ).encode()
        body = filler * max(0, (size - len(head)) // len(filler))
        return head + body

    def worker(part: range) -> None:
        smtp = smtplib.SMTP("127.0.0.1", port)
        smtp.ehlo()
        for i in part:
            smtp.sendmail("bench@hall.localhost", [f"user{i}@bench.example"], message(i))
        smtp.quit()

    threads = [threading.Thread(target=worker, args=(range(k, mails, connections),)) for k in range(connections)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mails", type=int, default=100_000)
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--calls", type=int, default=8, help="call records per number in the month (the CSV attachment)"
    )
    args = parser.parse_args()
    from core.testing import TenantSpec, write_hall
    from core.testing.databases import create_scratch_database, drop_database, pg_url_for

    pg_admin = os.environ.get("HALL_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    port = free_port()
    sink = start_sink(port)
    name = None
    try:
        with scratch_dir("hall-bench-billmail-") as root:
            name = await create_scratch_database("hall_bench", pg_admin) if args.engine == "postgres" else None
            url = pg_url_for(name, pg_admin) if name else f"sqlite:///{root}/hall.sqlite3"
            config = write_hall(root, [TenantSpec("bench", plugins=["billmail"])], database_url=url, mail_port=port)
            log(f"{args.engine}: {args.mails} mails to aiosmtpd on 127.0.0.1:{port}")
            hall = await run_hall(config, "bench", args.mails, args.calls)
            log(f"hall: {hall}")
            mid = stop_sink(sink)
            got, size = mid["by_prefix"].get("billmail", [0, 0])
            if got != args.mails or mid["distinct_ids"] != args.mails:
                raise SystemExit(
                    f"the sink holds {got} bill mails, {mid['distinct_ids']} distinct; expected {args.mails}"
                )
            mean = size // max(got, 1)
            sink = start_sink(port)
            log(f"baseline: raw smtplib, {args.mails} messages of {mean} bytes over {hall['connections']} connections")
            base_s = baseline(port, args.mails, mean, hall["connections"])
            after = stop_sink(sink)
            sink = None
            result = {
                "mails": args.mails,
                "engine": args.engine,
                "seconds": hall["seconds"],
                "mails_per_s": round(args.mails / hall["seconds"]),
                "target_seconds": TARGET_S,
                "met": hall["seconds"] <= TARGET_S,
                "baseline_seconds": round(base_s, 1),
                "baseline_mails_per_s": round(args.mails / base_s),
                "ratio": round(base_s / hall["seconds"], 3),
                "mean_mail_bytes": mean,
                "calls_per_mail": args.calls,
                **{k: v for k, v in hall.items() if k != "seconds"},
                "sink_cpu_s": mid["cpu_s"],
                "baseline_sink_cpu_s": after["cpu_s"],
                "cpus": os.cpu_count(),
            }
            emit(result)
    finally:
        if sink is not None:
            sink.kill()
        if name:
            await drop_database(name, pg_admin)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--serve-sink":
        serve_sink(int(sys.argv[2]))
    else:
        asyncio.run(main())
