"""Per-query cost of Piccolo's stock SQLite engine against the hall's pooled one, in one run.

Piccolo's ``SQLiteEngine`` opens a new aiosqlite connection (and thread) for
every query outside a transaction; ``core.db.sqlite.PooledSQLiteEngine`` keeps
them open. Prints one JSON line: ms per query for each and the speed-up.

    .venv/bin/python bench/sqlite_engine.py [--queries 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from piccolo.columns import Varchar  # noqa: E402
from piccolo.engine.sqlite import SQLiteEngine  # noqa: E402
from piccolo.table import Table  # noqa: E402

from core.db.sqlite import PooledSQLiteEngine  # noqa: E402


class BenchRow(Table, tablename="bench_row"):
    name = Varchar(length=50)


async def per_query_ms(engine, queries: int) -> float:
    BenchRow._meta.db = engine
    start = time.perf_counter()
    for i in range(queries):
        await BenchRow.select(BenchRow.name).where(BenchRow.id == (i % 100) + 1).first()
    return (time.perf_counter() - start) * 1000 / queries


async def main(queries: int, rounds: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "bench.sqlite3")
        stock, pooled = SQLiteEngine(path=path), PooledSQLiteEngine(path=path)
        BenchRow._meta.db = stock
        await BenchRow.create_table()
        await BenchRow.insert(*[BenchRow(name=f"row {i}") for i in range(100)])
        stock_ms, pooled_ms = [], []
        for _ in range(rounds):  # alternate, so machine noise hits both alike
            stock_ms.append(await per_query_ms(stock, queries))
            pooled_ms.append(await per_query_ms(pooled, queries))
        await pooled.close_pools()
    s, p = statistics.median(stock_ms), statistics.median(pooled_ms)
    return {
        "queries": queries,
        "rounds": rounds,
        "stock_ms_per_query": round(s, 3),
        "pooled_ms_per_query": round(p, 3),
        "speedup": round(s / p, 2),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.queries, args.rounds))))
