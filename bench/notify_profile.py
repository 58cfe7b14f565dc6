"""Where the time of one payment notification goes: SQL statements, their time, and a pyinstrument profile.

Sets up the same throw-away hall as bench/notify.py (one tenant, the fake or
the Alipay provider, the bench owner plugin), then drives the app in-process
(httpx's ASGI transport, no granian, one request at a time) so the numbers are
the application's own::

    .venv/bin/python bench/notify_profile.py                        # sqlite, fake provider
    .venv/bin/python bench/notify_profile.py --engine postgres --provider alipay

Prints a report on stderr and one JSON summary as the last line of stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import create_pg_database, drop_pg_database, emit, log, pg_url, scratch_dir  # noqa: E402
from notify import HOST, write_config  # noqa: E402
from portal_profile import QueryLog, by_package  # noqa: E402


async def drive(config: Path, bodies: list[bytes], provider: str, profile: bool) -> dict:
    import httpx

    from bench_support import _hall
    from core.web.app import create_app

    hall = _hall(config)
    app = create_app(hall)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    for hook in app.on_startup:
        await hook(app)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    url = f"/pay/notify/{provider}"
    third = len(bodies) // 3
    warm, timed, profiled = bodies[:third], bodies[third : 2 * third], bodies[2 * third :]
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"http://{HOST}") as client:

            async def post(body: bytes) -> None:
                r = await client.post(url, content=body, headers=headers)
                assert r.status_code == 200 and r.text == "success", (r.status_code, r.text[:300])

            for body in warm:
                await post(body)
            qlog = QueryLog(hall.db.engine)
            qlog.active = True
            await post(timed[0])
            one_credit = list(qlog.entries)
            qlog.entries.clear()
            await post(timed[0])
            one_duplicate = list(qlog.entries)
            qlog.entries.clear()
            times, cpu0 = [], time.process_time()
            for body in timed[1:]:
                t0 = time.perf_counter()
                await post(body)
                times.append(time.perf_counter() - t0)
            cpu = (time.process_time() - cpu0) / len(times)
            sql = sum(t for _, t in qlog.entries) / len(times)
            qlog.active = False
            qlog.close()
            text, buckets = "", {}
            if profile:
                from pyinstrument import Profiler

                profiler = Profiler(interval=0.0001, async_mode="disabled")
                profiler.start()
                for body in profiled:
                    await post(body)
                profiler.stop()
                text = profiler.output_text(unicode=True, color=False, show_all=False, short_mode=False)
                buckets = by_package(profiler.last_session.root_frame())
    finally:
        for hook in app.on_shutdown:
            await hook(app)
        await hall.db.disconnect()
    return {
        "times": times,
        "cpu": cpu,
        "sql": sql,
        "credit": one_credit,
        "duplicate": one_duplicate,
        "profile": text,
        "buckets": buckets,
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--provider", choices=["fake", "alipay"], default="fake")
    p.add_argument("--intents", type=int, default=1500)
    p.add_argument("--no-profile", action="store_true")
    args = p.parse_args()
    with scratch_dir(f"hall-bench-notify-profile-{args.engine}-") as root:
        pg_name = asyncio.run(create_pg_database()) if args.engine == "postgres" else None
        try:
            url = pg_url(pg_name) if pg_name else f"sqlite:///{root}/hall.sqlite3"
            config, keys = write_config(root, url, args.provider)
            from bench_support import open_payments

            bodies = asyncio.run(open_payments(config, args.intents, args.provider, keys))
            log(f"{args.engine}: {len(bodies)} payments open; driving the app in-process")
            res = asyncio.run(drive(config, bodies, args.provider, not args.no_profile))
        finally:
            if pg_name:
                asyncio.run(drop_pg_database(pg_name))
    mean_ms = statistics.mean(res["times"]) * 1000
    print(
        f"\nPOST /pay/notify/{args.provider} ({args.engine}), in-process, sequential, {len(res['times'])} credited notifications:",
        file=sys.stderr,
    )
    print(
        f"  mean {mean_ms:.2f} ms, median {statistics.median(res['times']) * 1000:.2f} ms, CPU {res['cpu'] * 1000:.2f} ms "
        f"(process, all threads, with the in-process client), SQL {res['sql'] * 1000:.2f} ms (wall, awaited)",
        file=sys.stderr,
    )
    for label in ("credit", "duplicate"):
        print(
            f"  one {label}: {len(res[label])} statements {dict(Counter(q.split()[0].upper() for q, _ in res[label]))}",
            file=sys.stderr,
        )
        for q, t in res[label]:
            print(f"    {t * 1000:6.2f} ms  {' '.join(q.split())[:200]}", file=sys.stderr)
    if res["profile"]:
        print("\n" + res["profile"], file=sys.stderr)
        for label, share in res["buckets"].items():
            print(f"  {share * 100:5.1f} %  {label}", file=sys.stderr)
    emit(
        {
            "engine": args.engine,
            "provider": args.provider,
            "requests": len(res["times"]),
            "mean_ms": round(mean_ms, 3),
            "cpu_ms": round(res["cpu"] * 1000, 3),
            "sql_ms": round(res["sql"] * 1000, 3),
            "statements_credit": len(res["credit"]),
            "statements_duplicate": len(res["duplicate"]),
            "time_by_library": res["buckets"],
        }
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
