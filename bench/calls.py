"""Call records at scale: the first page of one customer's month with 10,000,000 call records stored, against 100,000.

One run, one engine:

1. two hall databases with the core's tables and indexes (``core.testing.databases.create_core_tables``):
   a **big** one with ``--rows`` call records (default 10,000,000) and a **small** one with ``--small``
   (default 100,000), both spread the same way: ``--months`` months (default 12) ending last month,
   about ``--per-month`` calls a number a month (default 40) over as many numbers as that takes, in time
   order (as a sync writes them: one number's rows are scattered over the whole table), plus one
   *heavy* number with ``--heavy`` calls every month (default 2,000: a data-hungry line);
2. bulk load: the call-record table's indexes are dropped, rows go in with ``executemany`` in big
   transactions (SQLite, plain ``sqlite3``) or ``COPY`` (PostgreSQL, asyncpg), the indexes are created
   again with their own DDL, then ``ANALYZE`` (PostgreSQL: ``VACUUM ANALYZE``);
3. the statements the call-record page runs (plugins/bills/calls.py: ``summary``, the month's count and
   sums, then ``records``, the first page of 50 sorted by time), through the same functions and the
   hall's engine, for a typical number and for the heavy one, in the latest month; ``--samples``
   samples per database and number, the two databases alternated in batches so noise hits both;
4. ``EXPLAIN`` of both statements on the big database.

    .venv/bin/python bench/calls.py --engine sqlite                 # 10,000,000 rows (~4 min)
    .venv/bin/python bench/calls.py --engine postgres
    .venv/bin/python bench/calls.py --engine sqlite --rows 1000000  # quick

The HTTP page itself is not driven here (bench/portal.py measures the page machinery; this the data
size). The databases are deleted at the end (``HALL_BENCH_KEEP=1`` keeps the SQLite files).
Progress on stderr; the last line of stdout is one JSON object with p50/p99 per database and number.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import io
import os
import random
import sqlite3
import statistics
import sys
import time
import zoneinfo
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import PG_ADMIN_URL, emit, log, scratch_dir  # noqa: E402
from core.db.indexes import call_record_page_index_ddl  # noqa: E402

ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")
TENANT = SimpleNamespace(id="bench")  # what tenant_scope and TenantTable need of a tenant
TYPES = ("local", "long_distance", "international", "sms", "data")
HEAVY = "13900000000"
TYPICAL_INDEX = 7  # numbers are "138" + 8 digits: number 7 is the typical customer measured
COLUMNS = ("tenant", "legacy_id", "number", "started_at", "duration_s", "called_number", "call_type", "charge_fen")
PER_PAGE = 50


def month_starts(months: int) -> list[dt.datetime]:
    """The first instants (tenant zone) of ``months`` months ending last month, oldest first, and of this month."""
    today = dt.datetime.now(ZONE)
    first = today.year * 12 + today.month - 1 - months
    return [dt.datetime((first + i) // 12, (first + i) % 12 + 1, 1, tzinfo=ZONE) for i in range(months + 1)]


def generate(rows: int, months: int, per_month: int, heavy: int, seed: int = 11):
    """Yields chunks of rows (tuples in COLUMNS order), in time order; ``started_at`` as the text Piccolo stores for an
    aware datetime in SQLite (``str()`` of its UTC time, core/db/bulk.py ``_utc_text``), which PostgreSQL's COPY reads too.

    Cheap on purpose (a few µs a row: 10,000,000 rows must load in minutes): times evenly spaced with jitter (no sort),
    numbers drawn by a seeded generator, the heavy number's calls spread evenly through each month.
    """
    rng = random.Random(seed)
    randrange = rng.randrange
    bounds = month_starts(months)
    ordinary = max(rows - heavy * months, 0)
    numbers = numbers_for(rows, months, per_month, heavy)
    per_m = [ordinary // months + (1 if i < ordinary % months else 0) for i in range(months)]
    seq = 0
    chunk: list[tuple] = []
    utc = dt.timezone.utc
    for m in range(months):
        base = int(bounds[m].timestamp())
        span = int((bounds[m + 1] - bounds[m]).total_seconds())
        count = per_m[m] + heavy
        step = span / count
        every = count // heavy if heavy else 0
        minute_of, prefix = -1, ""
        for i in range(count):
            at = base + int(i * step + rng.random() * step)
            if at // 60 != minute_of:
                minute_of = at // 60
                prefix = dt.datetime.fromtimestamp(minute_of * 60, utc).isoformat(" ")[:17]  # "YYYY-MM-DD HH:MM:"
            number = HEAVY if every and i % every == 0 and i // every < heavy else f"138{randrange(numbers):08d}"
            chunk.append(
                (
                    TENANT.id,
                    f"c{seq:010d}",
                    number,
                    f"{prefix}{at % 60:02d}+00:00",
                    30 + seq % 600,
                    f"1391234{seq % 10000:04d}",
                    TYPES[seq % 5],
                    seq % 97,
                )
            )
            seq += 1
            if len(chunk) >= 200_000:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


def numbers_for(rows: int, months: int, per_month: int, heavy: int) -> int:
    return max((max(rows - heavy * months, 0)) // (per_month * months), 1)


# -- loading ------------------------------------------------------------------------


def sqlite_call_indexes(conn) -> list[tuple[str, str]]:
    return list(
        conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'core_call_record'"
            " AND sql IS NOT NULL"
        )
    )


def load_sqlite(path: Path, args, rows: int) -> dict:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")  # set-up only: the measured reads go through the hall's engine
    conn.execute("PRAGMA cache_size = -400000")
    indexes = sqlite_call_indexes(conn)
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    sql = f"INSERT INTO core_call_record ({', '.join(COLUMNS)}) VALUES ({', '.join('?' for _ in COLUMNS)})"
    t0 = time.perf_counter()
    n = 0
    for chunk in generate(rows, args.months, args.per_month, args.heavy):
        conn.execute("BEGIN")
        # the text Piccolo stores for an aware datetime (core/db/bulk.py _utc_text)
        conn.executemany(sql, chunk)
        conn.execute("COMMIT")
        n += len(chunk)
        if n % 2_000_000 < len(chunk):
            log(f"  sqlite {path.name}: {n:,} rows")
    loaded = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _, ddl in indexes:
        conn.execute(ddl)
    if not args.narrow:  # the index as the hall's migration leaves it (core/db/indexes.py)
        for ddl in call_record_page_index_ddl(postgres=False):
            conn.execute(ddl)
    indexes = sqlite_call_indexes(conn)
    conn.execute("ANALYZE")
    indexed = time.perf_counter() - t0
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return {
        "rows": n,
        "load_s": round(loaded, 1),
        "index_s": round(indexed, 1),
        "indexes": [d for _, d in indexes],
        "bytes": path.stat().st_size,
    }


async def load_postgres(url: str, args, rows: int) -> dict:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        indexes = [
            (r["indexname"], r["indexdef"])
            for r in await conn.fetch("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'core_call_record'")
        ]
        droppable = [(name, ddl) for name, ddl in indexes if not name.endswith("_pkey")]
        for name, _ in droppable:
            await conn.execute(f'DROP INDEX "{name}"')
        t0 = time.perf_counter()
        n = 0
        for chunk in generate(rows, args.months, args.per_month, args.heavy):
            text = "".join(",".join(map(str, r)) + "\n" for r in chunk).encode()
            await conn.copy_to_table("core_call_record", source=io.BytesIO(text), columns=list(COLUMNS), format="csv")
            n += len(chunk)
            if n % 2_000_000 < len(chunk):
                log(f"  postgres: {n:,} rows")
        loaded = time.perf_counter() - t0
        t0 = time.perf_counter()
        await conn.execute("SET maintenance_work_mem = '512MB'")
        for _, ddl in droppable:
            await conn.execute(ddl)
        if not args.narrow:  # the index as the hall's migration leaves it (core/db/indexes.py)
            for ddl in call_record_page_index_ddl(postgres=True):
                await conn.execute(ddl)
        indexes = [
            (r["indexname"], r["indexdef"])
            for r in await conn.fetch("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'core_call_record'")
        ]
        await conn.execute("VACUUM ANALYZE core_call_record")
        indexed = time.perf_counter() - t0
        size = await conn.fetchval("SELECT pg_total_relation_size('core_call_record')")
        return {
            "rows": n,
            "load_s": round(loaded, 1),
            "index_s": round(indexed, 1),
            "indexes": [d for _, d in indexes],
            "bytes": size,
        }
    finally:
        await conn.close()


# -- measuring ------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(len(s) * p))]


async def page_queries(number: str, month: str, allowed: list[str]) -> tuple[dict, list[dict]]:
    """What GET /bills/<number>/calls?month=<month> asks the database for its first page (routes_calls.calls_page)."""
    from plugins.bills import calls

    filters = calls.parse({"month": month}, allowed, ZONE)
    total = await calls.summary(number, filters)
    rows = await calls.records(number, filters, limit=PER_PAGE, offset=0)
    return total, rows


async def explain(db, engine: str, number: str, month: str, allowed: list[str]) -> dict:
    """The plans of the page's two statements (plugins/bills/calls.py builds them), with the page's parameters."""
    from core.db.engine import fetch_scoped
    from plugins.bills import calls

    filters = calls.parse({"month": month}, allowed, ZONE)
    queries = {
        "records": calls.records_sql(number, filters, limit=PER_PAGE),
        "summary": calls.summary_sql(number, filters),
    }
    prefix = "EXPLAIN QUERY PLAN " if engine == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, SUMMARY OFF) "
    out = {}
    for name, (sql, args) in queries.items():
        rows = await fetch_scoped(prefix + sql, *args)
        out[name] = [r["detail"] for r in rows] if engine == "sqlite" else [r["QUERY PLAN"] for r in rows]
    return out


async def measure(dbs: dict, numbers: dict, month: str, allowed: list[str], samples: int, batch: int = 25) -> dict:
    """Alternate databases (and numbers) in batches; every sample is the page's two statements, wall time."""
    from core.tenancy import tenant_scope

    times = {(d, n): [] for d in dbs for n in numbers}
    counts = {}
    with tenant_scope(TENANT):
        for d, db in dbs.items():  # warm: caches, pools, the planner's statistics
            db.bind()
            for n, number in numbers.items():
                for _ in range(20):
                    total, rows = await page_queries(number, month, allowed)
                counts[(d, n)] = (total["count"], len(rows))
        done = 0
        while done < samples:
            for d, db in dbs.items():
                db.bind()
                for n, number in numbers.items():
                    for _ in range(batch):
                        t0 = time.perf_counter()
                        await page_queries(number, month, allowed)
                        times[(d, n)].append((time.perf_counter() - t0) * 1000)
            done += batch
    out = {}
    for (d, n), ts in times.items():
        out.setdefault(d, {})[n] = {
            "p50_ms": round(statistics.median(ts), 3),
            "p99_ms": round(pct(ts, 0.99), 3),
            "max_ms": round(max(ts), 3),
            "samples": len(ts),
            "month_rows": counts[(d, n)][0],
            "page_rows": counts[(d, n)][1],
        }
    return out


async def run(args) -> dict:
    from core.db import Database
    from core.testing.databases import create_core_tables, create_scratch_database, drop_database, pg_url_for
    from plugins.bills import months as bill_months

    sizes = {"small": args.small, "big": args.rows}
    result: dict = {
        "engine": args.engine,
        "index": "narrow" if args.narrow else "covering",
        "rows": args.rows,
        "small_rows": args.small,
        "months": args.months,
        "per_month": args.per_month,
        "heavy_per_month": args.heavy,
        "samples": args.samples,
        "loadavg_before": [round(x, 2) for x in os.getloadavg()],
    }
    pg_names: list[str] = []
    dbs: dict = {}
    with scratch_dir("hall-bench-calls-") as root:
        try:
            for label, rows in sizes.items():
                if args.engine == "postgres":
                    pg_names.append(await create_scratch_database(f"hall_bench_calls_{label}", PG_ADMIN_URL))
                    url = pg_url_for(pg_names[-1], PG_ADMIN_URL)
                else:
                    url = f"sqlite:///{root}/calls-{label}.sqlite3"
                db = Database(url, root=root)
                await db.connect()
                dbs[label] = db
                await create_core_tables()
                log(f"{args.engine} {label}: loading {rows:,} call records …")
                if args.engine == "postgres":
                    info = await load_postgres(url, args, rows)
                else:
                    info = load_sqlite(root / f"calls-{label}.sqlite3", args, rows)
                log(
                    f"{args.engine} {label}: {info['rows']:,} rows in {info['load_s']} s, indexes + analyze {info['index_s']} s, "
                    f"{info['bytes'] / 1e6:.0f} MB"
                )
                result[f"{label}_load"] = {k: v for k, v in info.items() if k != "indexes"}
                result["indexes"] = info["indexes"]
            bounds = month_starts(args.months)
            month = bounds[-2].strftime("%Y-%m")
            allowed = bill_months.window(month, 12, ZONE)
            typical = f"138{TYPICAL_INDEX % numbers_for(args.small, args.months, args.per_month, args.heavy):08d}"
            numbers = {"typical": typical, "heavy": HEAVY}
            result.update(month=month, numbers=numbers)
            log(f"measuring the first page of {month} for {numbers}: {args.samples} samples per database and number")
            result["latency"] = await measure(dbs, numbers, month, allowed, args.samples)
            dbs["big"].bind()
            from core.tenancy import tenant_scope

            with tenant_scope(TENANT):
                result["explain_big"] = {
                    n: await explain(dbs["big"], args.engine, number, month, allowed) for n, number in numbers.items()
                }
        finally:
            for db in dbs.values():
                try:
                    await db.disconnect()
                except Exception as exc:  # report, do not hide the run's own error
                    log(f"disconnect: {exc}")
            for name in pg_names:
                try:
                    await drop_database(name, PG_ADMIN_URL)
                except Exception as exc:
                    log(f"could not drop database {name}: {exc}")
    lat = result["latency"]
    worst_big = max(v["p99_ms"] for v in lat["big"].values())
    result["big_p99_ms"] = worst_big
    result["small_p99_ms"] = max(v["p99_ms"] for v in lat["small"].values())
    result["ratio_p99_big_small"] = {
        n: round(lat["big"][n]["p99_ms"] / lat["small"][n]["p99_ms"], 2) for n in lat["big"]
    }
    result["target_p99_ms"] = 10
    result["met"] = worst_big <= 10
    result["loadavg"] = [round(x, 2) for x in os.getloadavg()]
    return result


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--rows", type=int, default=10_000_000, help="call records in the big database (default 10,000,000)")
    p.add_argument("--small", type=int, default=100_000, help="call records in the baseline database (default 100,000)")
    p.add_argument("--months", type=int, default=12)
    p.add_argument("--per-month", type=int, default=40, help="calls of an ordinary number a month (default 40)")
    p.add_argument("--heavy", type=int, default=2000, help="calls of the heavy number every month (default 2,000)")
    p.add_argument(
        "--narrow",
        action="store_true",
        help="keep the plain (tenant, number, started_at) index instead of the covering one the migration makes",
    )
    p.add_argument("--samples", type=int, default=1000, help="samples per database and number (default 1,000)")
    args = p.parse_args(argv)
    started = time.monotonic()
    try:
        result = asyncio.run(run(args))
    except Exception as exc:
        log(f"FAILED: {type(exc).__name__}: {exc}")
        emit({"error": f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}", "engine": args.engine})
        return 1
    result["seconds"] = round(time.monotonic() - started)
    for d in ("small", "big"):
        for n, v in result["latency"][d].items():
            log(
                f"{d:5s} {n:8s} p50 {v['p50_ms']:7.3f} ms  p99 {v['p99_ms']:7.3f} ms  ({v['month_rows']} rows in the month)"
            )
    emit(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
