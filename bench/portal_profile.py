"""Where the time of one logged-in portal page goes: SQL queries per request, their time, and a pyinstrument profile.

Sets up the same throw-away hall as bench/portal.py, then drives the app
in-process (no granian, no sockets, one request at a time) so the numbers are
the application's own::

    .venv/bin/python bench/portal_profile.py                    # sqlite
    .venv/bin/python bench/portal_profile.py --engine postgres --requests 500
    .venv/bin/python bench/portal_profile.py --no-profile       # queries and timings only

Needs pyinstrument for the profile (``.venv/bin/pip install pyinstrument``).
Prints a report on stderr and one JSON summary as the last line of stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import secrets
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import create_pg_database, drop_pg_database, emit, log, pg_url, scratch_dir  # noqa: E402
from portal_hall import PAGE, PASSWORD, copy_deployment, hall_env, prepare_hall  # noqa: E402


class QueryLog:
    """Wraps the engine class's ``run_querystring``: every SQL statement, with its wall time.

    Patched on the class (PostgresEngine's instances have read-only attributes); ``close()`` restores it.
    """

    def __init__(self, engine):
        self.cls = type(engine)
        self.entries: list[tuple[str, float]] = []
        self.active = False
        self.original = original = self.cls.run_querystring
        log_ = self

        async def run_querystring(self, querystring, *a, **kw):
            t0 = time.perf_counter()
            try:
                return await original(self, querystring, *a, **kw)
            finally:
                if log_.active:
                    log_.entries.append((str(querystring), time.perf_counter() - t0))

        self.cls.run_querystring = run_querystring

    def close(self) -> None:
        self.cls.run_querystring = self.original


BUCKETS = [  # (label, substring of the file path), first match wins
    ("waiting in select() (DB round trips, idle)", "selectors.py"),
    ("piccolo (query building, result handling)", "/piccolo/"),
    ("aiosqlite (thread hand-off)", "/aiosqlite/"),
    ("asyncpg", "/asyncpg/"),
    ("jinja2 + templates", "/jinja2/"),
    ("jinja2 + templates", ".html"),
    ("litestar", "/litestar/"),
    ("httpx client (the test driver)", "/httpx/"),
    ("httpx client (the test driver)", "/httpcore/"),
    ("pluggy (hook calls)", "/pluggy/"),
    ("babel / gettext", "/babel/"),
    ("babel / gettext", "gettext.py"),
    ("anyio / threads", "/anyio/"),
    ("anyio / threads", "threading.py"),
    ("anyio / threads", "concurrent/futures"),
    ("asyncio event loop", "/asyncio/"),
    ("hall core", "/core/"),
    ("hall plugins", "/plugins/"),
]


def by_package(root) -> dict[str, float]:
    """Self time of every sampled frame, summed by library: where the event-loop thread spends its time.

    Built-ins (no file of their own) count for the library that called them:
    ``epoll.poll`` called from selectors.py is waiting, ``str.join`` in Jinja is Jinja.
    """
    out: dict[str, float] = {}

    def label_of(frame, inherited: str) -> str:
        path = frame.file_path or ""
        if not path or path.startswith("<"):
            return inherited
        return next(
            (lbl for lbl, needle in BUCKETS if needle in path), f"other ({Path(path).parent.name}/{Path(path).name})"
        )

    def walk(frame, inherited: str):
        label = label_of(frame, inherited)
        if not frame.is_synthetic and frame.total_self_time:  # synthetic "[self]" leaves are in total_self_time
            out[label] = out.get(label, 0.0) + frame.total_self_time
        for child in frame.children:
            walk(child, label)

    if root is not None:
        walk(root, "other")
    total = sum(out.values()) or 1.0
    return {k: round(v / total, 3) for k, v in sorted(out.items(), key=lambda kv: -kv[1]) if v / total >= 0.002}


async def drive(hall, account: dict, requests: int, profile: bool, path: str = PAGE, anonymous: bool = False) -> dict:
    import httpx

    from core.web.app import create_app

    app = create_app(hall)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per request otherwise
    host = account["host"] or "127.0.0.1"
    prefix = "" if account["host"] else f"/t/{account['tenant']}"
    # The app runs in this event loop (not a test client's thread), so the profiler sees its frames.
    for hook in app.on_startup:
        await hook(app)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"http://{host}") as client:
            r = await client.get(prefix + "/login")
            csrf = client.cookies.get("hall_csrf")
            r = await client.post(
                prefix + "/login", data={"login": account["login"], "password": PASSWORD, "_csrf_token": csrf}
            )
            assert r.status_code in (302, 303), (r.status_code, r.text[:500])
            r = await client.get(prefix + PAGE)
            assert r.status_code == 200 and account["name"] in r.text, (r.status_code, r.text[:500])
            page = prefix + path
            if anonymous:
                client.cookies.clear()
            r = await client.get(page)
            assert r.status_code == 200, (page, r.status_code, r.text[:500])
            for _ in range(50):  # warm caches (template environments, compiled templates, pools)
                await client.get(page)

            qlog = QueryLog(hall.db.engine)
            qlog.active = True
            r = await client.get(page)
            one = list(qlog.entries)
            qlog.entries.clear()

            times = []
            cpu0 = time.process_time()  # all threads of the process: aiosqlite's too
            for _ in range(requests):
                t0 = time.perf_counter()
                r = await client.get(page)
                times.append(time.perf_counter() - t0)
                assert r.status_code == 200
            cpu = (time.process_time() - cpu0) / requests
            sql_total = sum(t for _, t in qlog.entries)
            qlog.active = False
            qlog.close()

            prof_text = ""
            if profile:
                try:
                    from pyinstrument import Profiler
                except ImportError:
                    raise SystemExit(
                        "pyinstrument is not installed: .venv/bin/pip install pyinstrument, or pass --no-profile"
                    ) from None

                # async_mode disabled: samples show what the event-loop thread really does, and waiting on
                # the database (aiosqlite's thread, asyncpg's socket) shows up as time in select().
                profiler = Profiler(interval=0.0001, async_mode="disabled")
                profiler.start()
                for _ in range(requests):
                    await client.get(page)
                profiler.stop()
                prof_text = profiler.output_text(unicode=True, color=False, show_all=False, short_mode=False)
                buckets = by_package(profiler.last_session.root_frame())
    finally:
        for hook in app.on_shutdown:
            await hook(app)
    return {
        "buckets": buckets if profile else {},
        "one": one,
        "times": times,
        "cpu": cpu,
        "sql_total": sql_total,
        "profile": prof_text,
        "bytes": len(r.content),
    }


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--requests", type=int, default=300)
    p.add_argument("--no-profile", action="store_true")
    p.add_argument(
        "--page",
        default=PAGE,
        help=f"path to request (default {PAGE}, the logged-in page bench/portal.py measures); "
        "'bill': the bill page of bench/portal.py --page bill",
    )
    p.add_argument("--anonymous", action="store_true", help="request it without any cookie (no session)")
    p.add_argument("--tenant", default="jiangnan")
    p.add_argument("--subscribers", type=int, default=300)
    args = p.parse_args(argv)
    pg_name = None
    with scratch_dir("hall-bench-profile-") as tmp:
        try:
            root = tmp / args.engine
            copy_deployment(root)
            if args.engine == "postgres":
                pg_name = asyncio.run(create_pg_database("hall_bench_profile"))
                url = pg_url(pg_name)
            else:
                url = "sqlite:///var/hall.sqlite3"
            env = hall_env(root, secrets.token_urlsafe(32), url)
            log(f"preparing a demo hall in {root} ({url}) …")
            account = prepare_hall(
                root, env, args.tenant, args.subscribers, "bill" if args.page == "bill" else "account"
            )
            if args.page == "bill":
                args.page = account["path"]
            os.environ.update(env)
            from core.hall import Hall

            hall = Hall.from_config(env["HALL_CONFIG"])
            res = asyncio.run(drive(hall, account, args.requests, not args.no_profile, args.page, args.anonymous))
        finally:
            if pg_name:
                asyncio.run(drop_pg_database(pg_name))
    times = res["times"]
    mean_ms = statistics.mean(times) * 1000
    sql_ms = res["sql_total"] / len(times) * 1000
    print(
        f"\nGET {args.page}{' (anonymous)' if args.anonymous else ''} ({args.engine}), in-process, sequential, {len(times)} requests:",
        file=sys.stderr,
    )
    print(
        f"  mean {mean_ms:.2f} ms, median {statistics.median(times) * 1000:.2f} ms, "
        f"CPU {res['cpu'] * 1000:.2f} ms/request (process, all threads; includes the in-process client), "
        f"SQL {len(res['one'])} statements = {sql_ms:.2f} ms/request (wall, awaited)",
        file=sys.stderr,
    )
    kinds = Counter(q.split()[0].upper() for q, _ in res["one"])
    print(f"  statements by kind: {dict(kinds)}", file=sys.stderr)
    for q, t in res["one"]:
        print(f"  {t * 1000:6.2f} ms  {' '.join(q.split())[:220]}", file=sys.stderr)
    if res["profile"]:
        print("\n" + res["profile"], file=sys.stderr)
        print("share of the event-loop thread's time, by library (self time):", file=sys.stderr)
        for label, share in res["buckets"].items():
            print(f"  {share * 100:5.1f} %  {label}", file=sys.stderr)
    emit(
        {
            "engine": args.engine,
            "page": args.page,
            "anonymous": args.anonymous,
            "requests": len(times),
            "mean_ms": round(mean_ms, 3),
            "cpu_ms": round(res["cpu"] * 1000, 3),
            "sql_statements": len(res["one"]),
            "sql_ms_per_request": round(sql_ms, 3),
            "bytes": res["bytes"],
            "time_by_library": res["buckets"],
        }
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
