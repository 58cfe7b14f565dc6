"""Footprint: how fast ``hall serve`` answers its first request after start, and a web worker's resident memory.

Sets up the same throw-away demo hall as bench/portal.py (SQLite by default; ``--engine postgres``). Every
built-in plugin is loaded in every worker (``core.plugins`` imports them all), and the jiangnan tenant has
them all switched on: notices, service, bills, billpay, billmail, Alipay as its payment provider and the
sqlbss connector. Then, ``--starts`` times:

1. ``hall serve --workers N`` is started and ``GET /login`` (the tenant's page: tenant resolution,
   templates, database) polled every 10 ms; **start-up** is the time from spawning the process to the
   first 200 (the median over the starts after the first, which compiles the bytecode; see ``bytecode_env``);
2. after the first start only: the benchmark customer logs in and ``--warmup`` requests go round the
   customer's pages (account, bills, a month's bill, call records, billpay, billmail, notices, service);
   then the **RSS** of each worker (``VmRSS`` in /proc/<pid>/status) and of granian's main process.

The baseline is bench/bare_app.py, served the same way, measured the same way (start to first 200 of
``/``, RSS after the same number of requests). Progress on stderr; the last line of stdout is one JSON
object. Targets (issue 5): a worker under 150 MB resident, the first answer within 2 s of start.

    .venv/bin/python bench/footprint.py                 # ~1 min
    .venv/bin/python bench/footprint.py --engine postgres --workers 2
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    BENCH,
    VENV_BIN,
    Server,
    create_pg_database,
    drop_pg_database,
    emit,
    free_port,
    log,
    pg_url,
    scratch_dir,
)
from portal_hall import PASSWORD, copy_deployment, hall_env, prepare_hall  # noqa: E402

PAGES = ("/account", "/bills/", "/bills/{number}/calls", "/billpay/", "/billmail/", "/notices/", "/service/", "/login")


def bytecode_env(env: dict, tmp: Path) -> dict:
    """Let the servers cache bytecode, in the scratch folder: an installed hall has its .pyc files, while a
    PYTHONDONTWRITEBYTECODE=1 development shell would make every start compile every module again (~0.5 s).
    The first start of each server compiles and writes them (reported as ``*_first_start_s``)."""
    env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    return env


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


def first_answer(server: Server, url: str, headers: dict | None, timeout: float = 60.0) -> float:
    """Start the server; seconds from spawning it to the first 200 of ``url``."""
    import httpx

    started = time.monotonic()
    server.start()
    deadline = started + timeout
    with httpx.Client(headers=headers, timeout=2.0) as client:
        while time.monotonic() < deadline:
            if server.proc.poll() is not None:
                raise RuntimeError(f"{server.name} exited with {server.proc.returncode}:\n{server.log_tail()}")
            try:
                if client.get(url).status_code == 200:
                    return time.monotonic() - started
            except httpx.HTTPError:
                pass
            time.sleep(0.01)
    raise RuntimeError(f"{server.name}: no 200 from {url} within {timeout:.0f} s:\n{server.log_tail()}")


def memory(server: Server) -> dict:
    main = server.proc.pid
    workers = children(main)
    return {
        "main_rss_mb": round(rss_kb(main) / 1024, 1),
        "worker_rss_mb": [round(rss_kb(p) / 1024, 1) for p in workers],
    }


def warm_hall(base: str, account: dict, requests: int) -> dict:
    """Log in and go round the customer's pages; status counts by page."""
    import httpx

    host = {"Host": account["host"]} if account["host"] else {}
    seen: dict[str, int] = {}
    with httpx.Client(base_url=base, headers=host, follow_redirects=False, timeout=30) as client:
        client.get("/login")
        csrf = client.cookies.get("hall_csrf")
        r = client.post("/login", data={"login": account["login"], "password": PASSWORD, "_csrf_token": csrf})
        if r.status_code not in (302, 303):
            raise RuntimeError(f"log-in failed: HTTP {r.status_code}")
        pages = [p.format(number=account["number"]) for p in PAGES]
        for i in range(requests):
            page = pages[i % len(pages)]
            r = client.get(page)
            seen[f"{page} {r.status_code}"] = seen.get(f"{page} {r.status_code}", 0) + 1
    return seen


def warm_bare(url: str, requests: int) -> None:
    import httpx

    with httpx.Client(timeout=30) as client:
        for _ in range(requests):
            client.get(url).raise_for_status()


def run(args) -> dict:
    load_before = [round(x, 2) for x in os.getloadavg()]
    secret = secrets.token_urlsafe(32)
    pg_name = None
    result: dict = {
        "engine": args.engine,
        "workers": args.workers,
        "starts": args.starts,
        "warmup_requests": args.warmup,
        "loadavg_before": load_before,
    }
    with scratch_dir("hall-bench-footprint-") as tmp:
        try:
            root = tmp / "hall"
            copy_deployment(root)
            if args.engine == "postgres":
                pg_name = asyncio.run(create_pg_database("hall_bench_footprint"))
                url = pg_url(pg_name)
            else:
                url = "sqlite:///var/hall.sqlite3"
            env = hall_env(root, secret, url)
            env.pop("HALL_JOBS__SCHEDULE_IN_WEB", None)  # a real web worker: periodic jobs run in it on SQLite
            env = bytecode_env(env, tmp)
            log(f"preparing a demo hall in {root} ({url}) …")
            account = prepare_hall(root, env, "jiangnan", args.subscribers)
            hall_headers = {"Host": account["host"]} if account["host"] else None

            # -- the hall
            starts, mem = [], None
            for i in range(args.starts):
                port = free_port()
                cmd = [
                    str(VENV_BIN / "hall"),
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--workers",
                    str(args.workers),
                ]
                server = Server("hall serve", cmd, env=env, cwd=root, log_path=root / f"serve-{i}.log")
                try:
                    starts.append(first_answer(server, f"http://127.0.0.1:{port}/login", hall_headers))
                    log(f"hall: first 200 after {starts[-1]:.2f} s")
                    if i == 0:
                        base = f"http://127.0.0.1:{port}"
                        result["hall_pages"] = warm_hall(base, account, args.warmup)
                        time.sleep(0.5)
                        mem = memory(server)
                        log(f"hall: after {args.warmup} requests: {mem}")
                finally:
                    server.stop()
            # -- the bare app
            bare_starts, bare_mem = [], None
            for i in range(args.starts):
                port = free_port()
                benv = {k: v for k, v in os.environ.items() if not k.startswith("HALL_")}
                benv.update(PYTHONPATH=str(BENCH), BENCH_BARE_BYTES="9000")
                benv = bytecode_env(benv, tmp)
                cmd = [
                    str(VENV_BIN / "python"),
                    str(BENCH / "bare_app.py"),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--workers",
                    str(args.workers),
                ]
                server = Server("bare app", cmd, env=benv, cwd=tmp, log_path=tmp / f"bare-{i}.log")
                try:
                    bare_starts.append(first_answer(server, f"http://127.0.0.1:{port}/", None))
                    log(f"bare: first 200 after {bare_starts[-1]:.2f} s")
                    if i == 0:
                        warm_bare(f"http://127.0.0.1:{port}/", args.warmup)
                        time.sleep(0.5)
                        bare_mem = memory(server)
                        log(f"bare: after {args.warmup} requests: {bare_mem}")
                finally:
                    server.stop()
        finally:
            if pg_name:
                try:
                    asyncio.run(drop_pg_database(pg_name))
                except Exception as exc:
                    log(f"could not drop database {pg_name}: {exc}")
    worker_max = max(mem["worker_rss_mb"]) if mem and mem["worker_rss_mb"] else None
    result.update(
        {
            "hall_first_200_s": round(statistics.median(starts[1:] or starts), 3),
            "hall_first_200_runs": [round(s, 3) for s in starts],
            "hall_first_start_s": round(starts[0], 3),
            "hall_worker_rss_mb": worker_max,
            "hall_rss": mem,
            "bare_first_200_s": round(statistics.median(bare_starts[1:] or bare_starts), 3),
            "bare_first_200_runs": [round(s, 3) for s in bare_starts],
            "bare_first_start_s": round(bare_starts[0], 3),
            "bare_worker_rss_mb": max(bare_mem["worker_rss_mb"]) if bare_mem and bare_mem["worker_rss_mb"] else None,
            "bare_rss": bare_mem,
            "target": {"worker_rss_mb": 150, "first_200_s": 2.0},
        }
    )
    result["met"] = bool(worker_max is not None and worker_max < 150 and result["hall_first_200_s"] <= 2.0)
    result["loadavg"] = [round(x, 2) for x in os.getloadavg()]
    return result


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--workers", type=int, default=1, help="granian workers (default 1; RSS is reported per worker)")
    p.add_argument(
        "--starts",
        type=int,
        default=4,
        help="starts per server (default 4): the first compiles bytecode; the median of the others is reported",
    )
    p.add_argument("--warmup", type=int, default=500, help="requests before RSS is read (default 500)")
    p.add_argument("--subscribers", type=int, default=300)
    args = p.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    try:
        result = run(args)
    except Exception as exc:
        log(f"FAILED: {type(exc).__name__}: {exc}")
        emit({"error": f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}", "engine": args.engine})
        return 1
    result["seconds"] = round(time.monotonic() - started)
    emit(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
