"""Verified payment notifications per second through the real HTTP endpoint (POST /pay/notify/<provider>).

One run builds a throw-away hall (one tenant, the fake provider - or with
``--provider alipay`` the Alipay plugin, RSA2-signed notifications - switched on,
an owner plugin that fulfils with an outbox event), opens ``--intents``
pending payments, serves the hall with granian (``--workers``, as ``hall
serve`` does) and posts each payment's signed "paid" notification from
``--connections`` keep-alive connections: every one is verified (HMAC),
settled (conditional UPDATE), fulfilled and posted to the outbox in one
transaction. A second pass posts them all again (duplicates: verified,
answered, nothing credited). Afterwards it checks that every payment was
credited exactly once.

    .venv/bin/python bench/notify.py                    # sqlite
    .venv/bin/python bench/notify.py --engine postgres
    .venv/bin/python bench/notify.py --both
    .venv/bin/python bench/notify.py --both --provider alipay    # the Alipay provider: RSA2 signatures, yuan amounts

Progress goes to stderr; the last line of stdout is one JSON object. Exit
status 1 when any answer was not "success" or a payment was not credited once.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import REPO, Server, create_pg_database, drop_pg_database, emit, free_port, log, pg_url, scratch_dir  # noqa: E402

HOST = "alpha.test"


def write_config(root: Path, database_url: str, provider: str):
    """hall.toml and the tenant; with Alipay also its settings and RSA keys (secrets file). Returns (config, Alipay keys or None)."""
    from core.testing import TenantSpec, write_hall

    settings, keys = {}, None
    if provider == "alipay":
        from plugins.alipay.testkit import new_keys, tenant_settings

        keys, settings = (
            new_keys(),
            tenant_settings("http://127.0.0.1:9/gateway.do"),
        )  # never called: notifications only
    spec = TenantSpec(
        "alpha",
        plugins=["benchshop"],
        hosts=[HOST],
        connector={},
        payments={"providers": ["fake", "alipay"]},
        plugin_settings=settings,
    )
    config = write_hall(root, [spec], database_url=database_url)
    if keys is not None:
        from plugins.alipay.testkit import secrets_toml

        (config.parent / ".secrets.toml").write_text(secrets_toml("alpha", keys), encoding="utf-8")
    return config, keys


async def prepare(config: Path, intents: int, provider: str, keys) -> list[bytes]:
    """Migrate, open ``intents`` pending payments, and return each one's signed notification as a form body."""
    from bench_support import open_payments

    return await open_payments(config, intents, provider, keys)


def notification_request(body: bytes, provider: str) -> bytes:
    return (
        f"POST /pay/notify/{provider} HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


HEALTHZ = f"GET /healthz HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode()


async def post_all(port: int, requests: list[bytes], connections: int, expect: bytes = b"success") -> dict:
    """Send ``requests`` over ``connections`` keep-alive connections; count the answers whose body is ``expect``."""
    queue = list(reversed(requests))
    answers = {"success": 0, "other": 0}
    latencies: list[float] = []

    async def worker():
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while queue:
                request = queue.pop()
                t0 = time.perf_counter()
                writer.write(request)
                raw = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    int(line.split(b":")[1])
                    for line in raw.split(b"\r\n")
                    if line.lower().startswith(b"content-length")
                )
                text = await reader.readexactly(length)
                latencies.append(time.perf_counter() - t0)
                answers[
                    "success" if raw.startswith(b"HTTP/1.1 200") and (not expect or text == expect) else "other"
                ] += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    seconds = time.perf_counter() - started
    latencies.sort()
    return {
        "per_second": round(len(requests) / seconds, 1),
        "seconds": round(seconds, 2),
        "answers": answers,
        "p50_ms": round(latencies[len(latencies) // 2] * 1000, 2),
        "p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 2),
    }


async def count_credited(config: Path) -> dict:
    from bench_support import credited

    return await credited(config)


def run_engine(engine: str, args) -> dict:
    with scratch_dir(f"hall-bench-notify-{engine}-") as root:
        pg_name = asyncio.run(create_pg_database()) if engine == "postgres" else None
        try:
            url = pg_url(pg_name) if pg_name else f"sqlite:///{root}/hall.sqlite3"
            config, keys = write_config(root, url, args.provider)
            log(f"{engine}: opening {args.intents} payments ({args.provider})")
            bodies = asyncio.run(prepare(config, args.intents, args.provider, keys))
            port = free_port()
            env = {
                **os.environ,
                "HALL_CONFIG": str(config),
                "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "bench")]),
            }
            server = Server(
                f"hall-{engine}",
                [sys.executable, str(REPO / "bench" / "notify_app.py"), str(port), str(args.workers)],
                env=env,
                cwd=REPO,
                log_path=root / "server.log",
            ).start()
            try:
                server.wait_ready(f"http://127.0.0.1:{port}/healthz")
                log(f"{engine}: posting {len(bodies)} notifications over {args.connections} connections")
                requests = [notification_request(b, args.provider) for b in bodies]
                first = asyncio.run(post_all(port, requests, args.connections))
                log(f"{engine}: first pass {first}")
                again = asyncio.run(post_all(port, requests, args.connections))
                log(f"{engine}: duplicates {again}")
                # the same server's floor on this machine right now: what the hall's shell costs without a payment
                floor = asyncio.run(post_all(port, [HEALTHZ] * len(bodies), args.connections, expect=b""))
                log(f"{engine}: GET /healthz {floor}")
            finally:
                server.stop()
            counts = asyncio.run(count_credited(config))
        finally:
            if pg_name:
                asyncio.run(drop_pg_database(pg_name))
    ok = (
        first["answers"]["other"] == 0
        and again["answers"]["other"] == 0
        and counts["succeeded"] == counts["posted"] == counts["delivered"] == args.intents
    )
    return {
        "engine": engine,
        "provider": args.provider,
        "notifications": args.intents,
        "workers": args.workers,
        "connections": args.connections,
        "credited_per_second": first["per_second"],
        "duplicates_per_second": again["per_second"],
        "healthz_per_second": floor["per_second"],
        "p50_ms": first["p50_ms"],
        "p99_ms": first["p99_ms"],
        "load_average": round(os.getloadavg()[0], 1),
        "cpus": os.cpu_count(),
        "credited_once": ok,
        **{f"db_{k}": v for k, v in counts.items()},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--both", action="store_true", help="SQLite, then PostgreSQL")
    parser.add_argument(
        "--provider", choices=["fake", "alipay"], default="fake", help="fake: HMAC-SHA256; alipay: RSA2 as Alipay signs"
    )
    parser.add_argument("--intents", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    engines = ["sqlite", "postgres"] if args.both else [args.engine]
    results = [run_engine(e, args) for e in engines]
    emit(results[0] if len(results) == 1 else {"runs": results})
    return 0 if all(r["credited_once"] for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
