"""Portal page benchmark: a logged-in hall page against a bare Litestar + Jinja page of the same size.

One run sets up a throw-away hall (copies of hall.toml, tenants/ and themes/ in
a temporary folder, demo legacy databases, migrations, customer sync - the same
functions ``hall demo`` calls), creates one customer account, starts
``hall serve`` and the bare app (bench/bare_app.py) with the same granian
settings and worker count on loopback, logs in over HTTP and load-tests
``GET /account`` with the session cookie. Both servers are warmed up, then
measured alternately (hall, bare, hall, bare, ...) and the medians reported, so
noise on the shared machine hits both alike.

    .venv/bin/python bench/portal.py                      # sqlite, 2 workers, 64 connections, 10 s runs
    .venv/bin/python bench/portal.py --engine postgres
    .venv/bin/python bench/portal.py --both
    .venv/bin/python bench/portal.py --page bill --both   # the logged-in bill page, /bills/<number>/<month>
    .venv/bin/python bench/portal.py --page calls --both  # call records, /bills/<number>/calls (no step-up: the default)
    .venv/bin/python bench/portal.py --page billpay --both  # what the customer owes, /billpay/

Progress goes to stderr; the last line of stdout is one JSON object
(``ratio`` = hall_rps / bare_rps). Exit status 1 when anything failed,
including any non-2xx response or socket error during a measurement.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    BENCH,
    VENV_BIN,
    LoadResult,
    Server,
    create_pg_database,
    drop_pg_database,
    emit,
    free_port,
    load_tool,
    log,
    median,
    pg_url,
    run_load,
    scratch_dir,
)
from portal_hall import PAGE, PASSWORD, copy_deployment, hall_env, prepare_hall  # noqa: E402

PAGES = ("account", "bill", "calls", "billpay")  # --page: see PAGE_HELP
PAGE_HELP = (
    "account: /account; bill: /bills/<number>/<month>, 13 months of bills with items; "
    "calls: /bills/<number>/calls, the latest month's first page of CALLS_PER_MONTH call records; "
    "billpay: /billpay/, what the customer owes (the bill seed: the latest month unpaid)"
)


@dataclass(eq=False)  # hashable by identity
class Target:
    """One server under test and its measurements."""

    name: str  # "sqlite" | "postgres" | "bare"
    server: Server
    port: int
    path: str
    headers: dict = field(default_factory=dict)
    runs: list[LoadResult] = field(default_factory=list)
    page_bytes: int = 0
    account: dict | None = None  # the customer logged in (hall targets)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"


# -- servers and log-in ------------------------------------------------------------


def start_hall(name: str, root: Path, env: dict, workers: int) -> Target:
    port = free_port()
    cmd = [str(VENV_BIN / "hall"), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    return Target(
        name, Server(f"hall ({name})", cmd, env=env, cwd=root, log_path=root / f"serve-{name}.log").start(), port, PAGE
    )


def start_bare(root: Path, workers: int, page_bytes: int) -> Target:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALL_")}
    env.update(PYTHONPATH=str(BENCH), BENCH_BARE_BYTES=str(page_bytes))
    cmd = [
        str(VENV_BIN / "python"),
        str(BENCH / "bare_app.py"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    return Target(
        "bare", Server("bare app", cmd, env=env, cwd=root, log_path=root / "serve-bare.log").start(), port, "/"
    )


def log_in(target: Target, account: dict) -> None:
    """GET /login for the CSRF cookie, POST the form, then check the page is this customer's (name, or the bill's number)."""
    import httpx

    host = {"Host": account["host"]} if account["host"] else {}
    prefix = "" if account["host"] else f"/t/{account['tenant']}"
    target.path = prefix + account.get("path", PAGE)
    base = f"http://127.0.0.1:{target.port}"
    with httpx.Client(base_url=base, headers=host, follow_redirects=False, timeout=30) as client:
        r = client.get(prefix + "/login")
        r.raise_for_status()
        csrf = client.cookies.get("hall_csrf")
        if not csrf:
            raise RuntimeError(f"GET {prefix}/login set no hall_csrf cookie")
        r = client.post(prefix + "/login", data={"login": account["login"], "password": PASSWORD, "_csrf_token": csrf})
        if r.status_code not in (302, 303) or not client.cookies.get("hall_session"):
            raise RuntimeError(
                f"log-in failed: HTTP {r.status_code}, cookies {sorted(client.cookies.keys())}\n{r.text[:2000]}"
            )
        cookies = {c.name: c.value for c in client.cookies.jar}
        r = client.get(target.path)
        mark = account["name"] if target.path.endswith(PAGE) else account["number"]
        marks = {"/calls": 'class="data stack calls"', "/billpay/": '/pay"'}  # the call table; billpay's payment form
        want = next((m for end, m in marks.items() if target.path.endswith(end)), 'id="bill"')
        if r.status_code != 200 or mark not in r.text or ("/bill" in target.path and want not in r.text):
            raise RuntimeError(
                f"GET {target.path} is not {account['name']}'s logged-in page: HTTP {r.status_code}\n{r.text[:2000]}"
            )
        target.page_bytes = len(r.content)
    # what a browser sends on every page: the Host, and its cookies (session and CSRF)
    target.headers = {**host, "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}


# -- measuring ---------------------------------------------------------------------


def measure(tool: str, target: Target, args, duration: float, keep: bool = True) -> LoadResult:
    res = run_load(
        tool,
        target.url,
        target.headers,
        connections=args.connections,
        duration=duration,
        threads=args.threads,
        workdir=Path(target.server.cwd),
    )
    log(
        f"  {target.name:8s} {res.rps:8.0f} req/s  p50 {res.p50_ms:6.1f} ms  p99 {res.p99_ms:6.1f} ms  "
        f"{res.requests} requests, {res.non_2xx} non-2xx, {res.errors} socket errors, {res.bytes_min}-{res.bytes_max} bytes"
        + ("" if keep else "  (warm-up)")
    )
    if res.non_2xx or res.errors:
        raise RuntimeError(
            f"{target.name}: {res.non_2xx} non-2xx responses and {res.errors} socket errors in {res.requests} requests"
        )
    if res.requests == 0:
        raise RuntimeError(f"{target.name}: no request completed")
    if keep:
        target.runs.append(res)
    return res


def summary(hall: Target, bare: Target, args, tool: str) -> dict:
    hall_rps, bare_rps = median([r.rps for r in hall.runs]), median([r.rps for r in bare.runs])
    return {
        "page": hall.path,
        "engine": hall.name,
        "workers": args.workers,
        "connections": args.connections,
        "duration": args.duration,
        "rounds": args.rounds,
        "tool": tool,
        "hall_rps": round(hall_rps, 1),
        "hall_p99_ms": round(median([r.p99_ms for r in hall.runs]), 2),
        "bare_rps": round(bare_rps, 1),
        "bare_p99_ms": round(median([r.p99_ms for r in bare.runs]), 2),
        "ratio": round(hall_rps / bare_rps, 3) if bare_rps else None,
        "hall_bytes": hall.runs[-1].bytes_max,
        "bare_bytes": bare.runs[-1].bytes_max,
        "hall_rps_runs": [round(r.rps, 1) for r in hall.runs],
        "bare_rps_runs": [round(r.rps, 1) for r in bare.runs],
    }


def run(args) -> dict:
    engines = ["sqlite", "postgres"] if args.both else [args.engine]
    tool = load_tool(args.tool)
    started = time.monotonic()
    load_before = os.getloadavg()[0]  # the machine is shared: say how busy it was
    secret = secrets.token_urlsafe(32)
    pg_databases: list[str] = []
    targets: list[Target] = []
    with scratch_dir("hall-bench-portal-") as tmp:
        try:
            halls: list[Target] = []
            for engine in engines:
                root = tmp / engine
                copy_deployment(root)
                if engine == "postgres":
                    pg_databases.append(asyncio.run(create_pg_database("hall_bench_portal")))
                    url = pg_url(pg_databases[-1])
                else:
                    url = "sqlite:///var/hall.sqlite3"
                env = hall_env(root, secret, url)
                log(f"{engine}: preparing a demo hall in {root} ({url}) …")
                account = prepare_hall(root, env, args.tenant, args.subscribers, args.page)
                log(
                    f"{engine}: account {account['login']} ({account['name']}); starting hall serve --workers {args.workers}"
                )
                target = start_hall(engine, root, env, args.workers)
                target.account = account
                targets.append(target)
                halls.append(target)
            for target in halls:
                acct = target.account
                # the tenant's log-in page rather than /healthz: it proves tenant resolution and templates work too
                ready = f"http://127.0.0.1:{target.port}" + ("/login" if acct["host"] else f"/t/{acct['tenant']}/login")
                target.server.wait_ready(ready, {"Host": acct["host"]} if acct["host"] else None, timeout=30)
                log_in(target, acct)
                log(f"{target.name}: logged in; {target.url} is {acct['name']}'s page, {target.page_bytes} bytes")
            bare = start_bare(tmp, args.workers, halls[0].page_bytes)
            targets.append(bare)
            bare.server.wait_ready(bare.url)
            import httpx

            bare.page_bytes = len(httpx.get(bare.url).content)
            log(
                f"bare: {bare.url}, {bare.page_bytes} bytes; load from {tool}, {args.connections} connections, {args.threads} threads"
            )
            for h in halls:  # the hall pages of both engines differ by a byte or two at most (ids, tokens)
                if abs(bare.page_bytes - h.page_bytes) > max(16, h.page_bytes // 100):
                    raise RuntimeError(f"bare page is {bare.page_bytes} bytes, {h.name} hall page {h.page_bytes}")
            order = [t for h in halls for t in (h, bare)] if len(halls) == 1 else [halls[0], bare, halls[1]]
            log(f"warm-up, {args.warmup:g} s each")
            for target in dict.fromkeys(order):
                measure(tool, target, args, args.warmup, keep=False)
            log(
                f"measuring: {args.rounds} rounds of {args.duration:g} s, alternating {' / '.join(t.name for t in order)}"
            )
            for _ in range(args.rounds):
                for target in order:
                    measure(tool, target, args, args.duration)
            results = {h.name: summary(h, bare, args, tool) for h in halls}
        finally:
            for target in reversed(targets):
                target.server.stop()
            for name in pg_databases:
                try:
                    asyncio.run(drop_pg_database(name))
                except Exception as exc:  # report, but do not hide the benchmark's own error
                    log(f"could not drop database {name}: {exc}")
    elapsed = round(time.monotonic() - started)
    log(f"done in {elapsed} s")
    machine = {
        "cpus": os.cpu_count(),
        "loadavg_1m_before": round(load_before, 2),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        "seconds": elapsed,
    }
    if args.both:
        return {
            "both": True,
            "page": args.page,
            "tool": tool,
            "workers": args.workers,
            "connections": args.connections,
            **results,
            **machine,
        }
    return {**results[engines[0]], **machine}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument(
        "--page",
        choices=PAGES,
        default="account",
        help=PAGE_HELP + " (default account)",
    )
    p.add_argument(
        "--both", action="store_true", help="measure sqlite and postgres in one run (one JSON object, both nested)"
    )
    p.add_argument("--workers", type=int, default=2, help="granian workers for each server (default 2)")
    p.add_argument("--connections", type=int, default=64, help="concurrent keep-alive connections (default 64)")
    p.add_argument("--duration", type=float, default=10, help="seconds per measured run (default 10)")
    p.add_argument("--rounds", type=int, default=3, help="measured runs per server; the median is reported (default 3)")
    p.add_argument("--warmup", type=float, default=3, help="seconds of warm-up per server (default 3)")
    p.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    p.add_argument(
        "--tool", choices=["auto", "wrk", "python"], default="auto", help="load generator (default: wrk if installed)"
    )
    p.add_argument("--tenant", default="jiangnan")
    p.add_argument(
        "--subscribers", type=int, default=300, help="customers per demo legacy database (default 300, as hall demo)"
    )
    args = p.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally blocks: servers die, databases go
    try:
        result = run(args)
    except Exception as exc:
        log(f"FAILED: {type(exc).__name__}: {exc}")
        emit(
            {
                "error": f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}",
                "engine": "both" if args.both else args.engine,
            }
        )
        return 1
    emit(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
