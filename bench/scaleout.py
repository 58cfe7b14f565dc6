"""Scale-out proof: four web processes and two job workers on one PostgreSQL under mixed customer traffic.

One run builds a throw-away demo hall on a scratch PostgreSQL database (as bench/portal.py does), starts the
Alipay sandbox (``hall sandbox alipay``), FOUR ``hall serve --workers 1`` processes on four ports and TWO
``hall worker`` processes, each as its own process group. It then

1. checks, before the load, that a session started on one process is good on the others and that a log-out
   on one ends it everywhere; and that two customers holding the same phone number at the same moment on two
   processes get exactly one hold;
2. runs ``--users`` customers with locust (headless, bench/scaleout_locust.py) for ``--minutes``: log-ins and
   log-outs, the account page, bill pages, call records and their CSV export, bill payments through the
   sandbox (its pay button, then its RSA2-signed notification to the hall), complaints. Each user sends each
   request to the next process in turn;
3. checks, after the load, that too many wrong passwords for one number on several processes are refused on
   another; that every background job drained (procrastinate's queue: nothing due left in todo or doing,
   within ``--grace`` seconds, and none failed); that every payment made was notified with a verified
   notification, succeeded and was posted to the outbox, and the outbox delivered it.

Four serve processes on four ports rather than one ``hall serve --workers 4``: granian's workers each accept
on their own socket and a keep-alive connection stays with the worker that accepted it, so one user's
requests would mostly reach one process. Rotating ports per request makes every consecutive pair of a user's
requests cross processes, as a load balancer spreading requests over machines does, and shows which process
answered what.

    .venv/bin/python bench/scaleout.py --minutes 10            # the proof (50 users)
    .venv/bin/python bench/scaleout.py --minutes 1 --users 20  # a smoke run

Needs locust (``.venv/bin/pip install locust``, or the ``bench`` extra: ``pip install -e '.[bench]'``).
Progress goes to stderr; the last line of stdout is one JSON object. Exit status 1 when anything failed.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import secrets
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))  # this checkout's core, as bench/notify.py

from _common import (  # noqa: E402
    BENCH,
    REPO,
    Server,
    create_pg_database,
    drop_pg_database,
    emit,
    free_port,
    log,
    pg_url,
    scratch_dir,
)
from portal_hall import hall_env  # noqa: E402
from scaleout_checks import check_holds, check_sessions, check_throttle, verdict  # noqa: E402
from scaleout_setup import (  # noqa: E402
    connections,
    database_facts,
    prepare_hall,
    table_writes,
    wait_drained,
    write_deployment,
)

from core.auth.sessions import CACHE_SECONDS as SESSION_CACHE_SECONDS  # noqa: E402

WEB_PROCESSES = 4
JOB_WORKERS = 2
LOCUST_MISSING = "locust is not installed: .venv/bin/pip install locust (or pip install -e '.[bench]' in a checkout)"


def start_servers(root: Path, env: dict, sandbox_port: int) -> tuple[list[Server], list[int]]:
    hall = [sys.executable, "-m", "core.cli"]  # this interpreter and this checkout's code (PYTHONPATH), as `hall`
    servers = [
        Server(
            "alipay sandbox",
            [*hall, "sandbox", "alipay", "--port", str(sandbox_port), "--retry-scale", "0.01"],
            env=env,
            cwd=root,
            log_path=root / "sandbox.log",
        ).start()
    ]
    ports = [free_port() for _ in range(WEB_PROCESSES)]
    for n, port in enumerate(ports):
        cmd = [*hall, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
        servers.append(Server(f"web {n}", cmd, env=env, cwd=root, log_path=root / f"web-{n}.log").start())
    for n in range(JOB_WORKERS):
        servers.append(
            Server(f"worker {n}", [*hall, "worker"], env=env, cwd=root, log_path=root / f"worker-{n}.log").start()
        )
    servers[0].wait_ready(f"http://127.0.0.1:{sandbox_port}/", timeout=60)
    for server, port in zip(servers[1 : 1 + WEB_PROCESSES], ports, strict=True):
        server.wait_ready(f"http://127.0.0.1:{port}/healthz", timeout=120)
    return servers, ports


def connections_by_process(servers: list[Server]) -> dict[str, int]:
    """TCP connections to PostgreSQL (port 5432) each server's process group holds now (``ss``; {} without it)."""
    import re
    import shutil
    import subprocess

    if not shutil.which("ss"):
        return {}
    groups = {os.getpgid(s.proc.pid): s.name for s in servers if s.proc and s.proc.poll() is None}
    out = subprocess.run(["ss", "-tnpH", "dport = :5432"], capture_output=True, text=True).stdout
    counts: dict[str, int] = {}
    for pid in re.findall(r"pid=(\d+)", out):
        try:
            name = groups.get(os.getpgid(int(pid)))
        except ProcessLookupError:
            continue
        if name:
            counts[name] = counts.get(name, 0) + 1
    return counts


def run_load(root: Path, plan: dict, database_url: str, servers: list[Server]) -> tuple[dict, dict]:
    """The locust child; meanwhile, every 5 s, PostgreSQL's connections to this database and each process's share."""
    import subprocess

    plan_path, result_path = root / "locust-plan.json", root / "locust-result.json"
    plan_path.write_text(json.dumps(plan), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(BENCH)}
    with open(root / "locust.log", "wb") as errors:
        proc = subprocess.Popen(
            [sys.executable, str(BENCH / "scaleout_locust.py"), str(plan_path), str(result_path)],
            env=env,
            cwd=root,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        samples, per_process = [], {}
        while proc.poll() is None:
            samples.append(asyncio.run(connections(database_url)))
            for name, n in connections_by_process(servers).items():
                per_process[name] = max(per_process.get(name, 0), n)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
    if proc.returncode != 0 or not result_path.exists():
        tail = (root / "locust.log").read_text(errors="replace").splitlines()[-20:]
        raise RuntimeError(f"the locust run failed ({proc.returncode}):\n" + "\n".join(tail))
    totals = [sum(s.values()) for s in samples] or [0]
    active = [s.get("active", 0) for s in samples] or [0]
    pool = {
        "samples": len(samples),
        "max": max(totals),
        "min": min(totals),
        "max_active": max(active),
        "max_by_process": per_process,
    }
    return json.loads(result_path.read_text(encoding="utf-8")), pool


def run(args) -> dict:
    if importlib.util.find_spec("locust") is None:
        raise RuntimeError(LOCUST_MISSING)
    started = time.monotonic()
    load_before = os.getloadavg()[0]
    servers: list[Server] = []
    with scratch_dir("hall-bench-scaleout-") as root:
        database = asyncio.run(create_pg_database("hall_bench_scaleout"))
        try:
            url = pg_url(database)
            sandbox_port = free_port()
            write_deployment(root, sandbox_port)
            env = hall_env(root, secrets.token_urlsafe(32), url)
            env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])])
            env["HALL_JOBS__SCHEDULE_IN_WEB"] = "false"  # PostgreSQL: the job workers run the schedule
            # the bench's unpaid months are not in the legacy system: the hourly change check must not "repair" them
            env["HALL_LEGACY__CHANGE_CHECK_KINDS"] = '["customers"]'
            env["HALL_SERVER__TRUSTED_PROXIES"] = '["127.0.0.1"]'  # the bench is the load balancer: X-Forwarded-For
            log(f"preparing a demo hall in {root} on {database} with {args.users} load customers …")
            plan = prepare_hall(root, env, args.users, args.subscribers)
            log(f"starting the sandbox, {WEB_PROCESSES} web processes and {JOB_WORKERS} job workers")
            servers, ports = start_servers(root, env, sandbox_port)
            checks, paths, password = plan["checks"], plan["paths"], plan["password"]
            log(f"web processes on ports {ports}; checking sessions and holds across processes")
            before = {
                "sessions": check_sessions(ports, paths, checks["session"], password, SESSION_CACHE_SECONDS),
                "holds": check_holds(ports, paths, checks["hold-a"], checks["hold-b"], password),
            }
            log(f"before the load: {before}")
            load_plan = {
                "ports": ports,
                "paths": paths,
                "users": plan["users"],
                "password": password,
                "seconds": args.minutes * 60,
                "spawn_rate": args.spawn_rate,
                "wait_min": args.think[0],
                "wait_max": args.think[1],
            }
            log(f"load: {args.users} users for {args.minutes:g} min (locust, headless)")
            idle, writes = asyncio.run(connections(url)), asyncio.run(table_writes(url))
            load, pool = run_load(root, load_plan, url, servers)
            pool["before_load"] = idle
            log(f"load done: {load['requests']} requests, {load['failures']} failures, {load['per_second']} req/s")
            free = int(os.environ.get("HALL_SECURITY__LOGIN_MAX_FAILURES", 5))
            after = {"throttle": check_throttle(ports, paths, checks["throttle"], password, free)}
            log(f"after the load: {after}; waiting for the job queue to drain (grace {args.grace:g} s)")
            drained = asyncio.run(wait_drained(url, args.grace, log))
            facts = asyncio.run(database_facts(url, load["paid"], before["holds"]["numbers"], writes))
            for server in servers[1:]:
                if server.proc.poll() is not None:
                    raise RuntimeError(f"{server.name} died during the run:\n{server.log_tail()}")
        finally:
            for server in reversed(servers):
                server.stop()
            try:
                asyncio.run(drop_pg_database(database))
            except Exception as exc:  # report, but do not hide the run's own error
                log(f"could not drop database {database}: {exc}")
    problems = verdict(load, drained, facts, WEB_PROCESSES)
    return {
        "ok": not problems,
        "problems": problems,
        "web_processes": WEB_PROCESSES,
        "job_workers": JOB_WORKERS,
        "users": args.users,
        "minutes": args.minutes,
        "think_s": list(args.think),
        "tool": "locust",
        "requests": load["requests"],
        "failures": load["failures"],
        "per_second": load["per_second"],
        "p50_ms": load["p50_ms"],
        "p99_ms": load["p99_ms"],
        "kinds": load["kinds"],
        "payments": len(load["paid"]),
        "payments_skipped": load["payments_skipped"],
        "jobs": drained,
        "pg_connections": pool,
        "database": facts,
        "checks": {**before, **after},
        "cpus": os.cpu_count(),
        "loadavg_1m_before": round(load_before, 2),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        "seconds": round(time.monotonic() - started),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--minutes", type=float, default=10, help="minutes of load (default 10)")
    p.add_argument("--users", type=int, default=50, help="concurrent customers, each with its own account (default 50)")
    p.add_argument("--spawn-rate", type=float, default=5, help="users started per second (default 5)")
    p.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=(1.0, 3.0),
        metavar=("MIN", "MAX"),
        help="seconds each user waits between two actions (default 1 3; 0 0 for as fast as the hall answers)",
    )
    p.add_argument("--grace", type=float, default=150, help="seconds the job queue may take to drain (default 150)")
    p.add_argument("--subscribers", type=int, default=300, help="customers per demo legacy database (default 300)")
    args = p.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally blocks: servers die, the database goes
    try:
        result = run(args)
    except Exception as exc:  # CheckFailed included
        log(f"FAILED: {type(exc).__name__}: {exc}")
        emit({"ok": False, "error": f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"})
        return 1
    for line in result["problems"]:
        log(f"FAILED: {line}")
    emit(result)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
