"""Legacy sync throughput: call records through the real sync, against a raw bulk insert of the same rows, per engine.

For each engine (SQLite, PostgreSQL) in one run:

1. **raw**: the same rows - the tuples the sync hands to the database, with
   aware datetimes, as the hall's driver takes them - inserted into the empty
   ``core_call_record`` table (same schema and indexes) with one
   ``executemany`` in one transaction on SQLite (through the adapters Piccolo
   registers, WAL, ``synchronous=NORMAL`` as the hall runs it), one ``COPY``
   (asyncpg ``copy_records_to_table``) on PostgreSQL;
2. the table is emptied;
3. **sync**: ``core.legacy.billing_sync.sync_billing`` reads the demo legacy
   database through the ``sqlbss`` connector with the jiangnan tenant's real
   mapping (monthly tables, text times, digit call types), converts, validates
   and upserts page by page, each page committed with its watermark.

The legacy database is generated with ``core.demo.legacy_db`` (fixed seed) and
trimmed to exactly ``--rows`` call records. Prints progress on stderr and one
JSON line: rows/s per engine for the sync and raw, and their ratio.

    .venv/bin/python bench/sync.py [--rows 1000000] [--batch 10000] [--engines sqlite,postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import sqlite3
import sys
import time
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import REPO, emit, log, scratch_dir  # noqa: E402

CALLS_PER_SUBSCRIBER = 8.0 * 3  # the demo generator's mix: ~8 calls a line a month, 3 months


def make_legacy(path: Path, rows: int) -> int:
    """A jiangnan-style legacy database with exactly ``rows`` call records (fewer if the generator made fewer)."""
    from core.demo.era import FIXED_END_MONTH
    from core.demo.legacy_db import generate_legacy_db

    subscribers = math.ceil(rows / CALLS_PER_SUBSCRIBER * 1.05)
    started = time.perf_counter()
    generate_legacy_db(path, end_month=FIXED_END_MONTH, seed=7, subscribers=subscribers, style="jiangnan", months=3)
    conn = sqlite3.connect(path)
    tables = [
        r[0]
        for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name LIKE 'HD_%' ORDER BY name")
    ]
    union = " UNION ALL ".join(f"SELECT LSH FROM {t}" for t in tables)
    total = conn.execute(f"SELECT COUNT(*) FROM ({union})").fetchone()[0]
    if total > rows:
        cut = conn.execute(f"SELECT LSH FROM ({union}) ORDER BY LSH LIMIT 1 OFFSET ?", (rows,)).fetchone()[0]
        with conn:
            for t in tables:
                conn.execute(f"DELETE FROM {t} WHERE LSH >= ?", (cut,))
        total = conn.execute(f"SELECT COUNT(*) FROM ({union})").fetchone()[0]
    conn.execute("VACUUM")
    conn.close()
    log(
        f"legacy database: {total} call records from {subscribers} subscribers in {time.perf_counter() - started:.1f} s"
    )
    return total


def make_connector(root: Path, legacy: Path):
    from core.tenancy import Brand, Tenant
    from plugins.sqlbss.billing import connector_class
    from plugins.sqlbss.mapping import parse_mapping

    tenant_file = REPO / "tenants" / "jiangnan" / "tenant.toml"
    config = tomllib.loads(tenant_file.read_text(encoding="utf-8"))["connector"]
    config["url"] = f"sqlite:///{legacy}"
    config = {
        k: v
        for k, v in config.items()
        if k in ("type", "url", "timezone", "demo_style", "customers", "numbers", "calls")
    }
    mapping = parse_mapping(config, tenant_file)
    tenant = Tenant(
        id="jiangnan",
        name="bench",
        name_en="bench",
        hosts=("bench.localhost",),
        theme="default",
        language="zh_CN",
        brand=Brand(logo="", primary_colour="#000000", accent_colour="#000000", hotline="", footer=""),
        plugins=frozenset(),
        path=root,
        connector=config,
    )
    return tenant, connector_class(mapping)(mapping, root=root, tenant_file=tenant_file)


async def rows_as_synced(tenant, connector, batch: int) -> list[tuple]:
    """The tuples the sync writes (connector pages through ``call_row``), for the raw insert."""
    from core.legacy.billing_sync import call_row

    out, watermark = [], ""
    while True:
        page = await connector.calls_after(watermark, batch)
        if not page.calls:
            return out
        out += [(tenant.id, *call_row(c)) for c in page.calls]
        watermark = page.watermark


COLUMNS = ("tenant", "legacy_id", "number", "started_at", "duration_s", "called_number", "call_type", "charge_fen")


async def raw_sqlite(path: Path, rows: list[tuple]) -> float:
    import piccolo.engine.sqlite  # noqa: F401 - the adapters the hall's driver uses (aware datetime -> UTC text)

    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    sql = f"INSERT INTO core_call_record ({', '.join(COLUMNS)}) VALUES ({', '.join('?' for _ in COLUMNS)})"
    started = time.perf_counter()
    with conn:
        conn.executemany(sql, rows)
    elapsed = time.perf_counter() - started
    assert conn.execute("SELECT COUNT(*) FROM core_call_record").fetchone()[0] == len(rows)
    with conn:
        conn.execute("DELETE FROM core_call_record")
    conn.execute("VACUUM")
    conn.close()
    return elapsed


async def raw_postgres(url: str, rows: list[tuple]) -> float:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        started = time.perf_counter()
        async with conn.transaction():
            await conn.copy_records_to_table("core_call_record", records=rows, columns=list(COLUMNS))
        elapsed = time.perf_counter() - started
        assert await conn.fetchval("SELECT COUNT(*) FROM core_call_record") == len(rows)
        await conn.execute("TRUNCATE core_call_record")
        await conn.execute("VACUUM ANALYZE core_call_record")
        return elapsed
    finally:
        await conn.close()


async def run_engine(engine: str, root: Path, legacy: Path, rows: list[tuple], batch: int) -> dict:
    from core.db import Database
    from core.legacy.billing_sync import sync_billing
    from core.testing.databases import create_core_tables, create_scratch_database, drop_database, pg_url_for

    pg_admin = os.environ.get("HALL_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    name = await create_scratch_database("hall_bench", pg_admin) if engine == "postgres" else None
    url = pg_url_for(name, pg_admin) if name else f"sqlite:///{root}/hall-{engine}.sqlite3"
    db = Database(url, root=root)
    await db.connect()
    try:
        await create_core_tables()
        log(f"{engine}: raw bulk insert of {len(rows)} rows")
        raw = await (raw_postgres(url, rows) if name else raw_sqlite(root / f"hall-{engine}.sqlite3", rows))
        tenant, connector = make_connector(root, legacy)
        log(f"{engine}: sync")
        started = time.perf_counter()
        result = await sync_billing(tenant, connector, "calls", batch_size=batch)
        sync = time.perf_counter() - started
        await connector.close()
        if result.written != len(rows) or result.quarantined:
            raise SystemExit(
                f"{engine}: the sync wrote {result.written} rows and quarantined {result.quarantined}; expected {len(rows)}"
            )
        out = {
            "sync_rows_per_s": round(len(rows) / sync),
            "raw_rows_per_s": round(len(rows) / raw),
            "ratio": round(raw / sync, 3),
            "sync_s": round(sync, 2),
            "raw_s": round(raw, 2),
        }
        log(f"{engine}: {out}")
        return out
    finally:
        await db.disconnect()
        if name:
            await drop_database(name, pg_admin)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=10_000, help="rows per sync page")
    parser.add_argument("--engines", default="sqlite,postgres")
    args = parser.parse_args()
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    with scratch_dir("hall-bench-sync-") as root:
        legacy = root / "legacy-jiangnan.sqlite3"
        total = make_legacy(legacy, args.rows)
        tenant, connector = make_connector(root, legacy)
        rows = await rows_as_synced(tenant, connector, args.batch)
        await connector.close()
        results = {"rows": total, "batch": args.batch}
        for engine in engines:
            results[engine] = await run_engine(engine, root, legacy, rows, args.batch)
        flat = {f"{e}_rows_per_s": results[e]["sync_rows_per_s"] for e in engines}
        flat.update({f"{e}_ratio": results[e]["ratio"] for e in engines})
        results.update(flat)
        results["target"] = {"rows_per_s": 100_000, "ratio": 0.7}
        results["met"] = all(results[e]["sync_rows_per_s"] >= 100_000 and results[e]["ratio"] >= 0.7 for e in engines)
        emit(results)


if __name__ == "__main__":
    asyncio.run(main())
