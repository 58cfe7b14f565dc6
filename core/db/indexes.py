"""Composite unique indexes, declared on a table as ``UNIQUE_TOGETHER``.

Piccolo's ``Unique`` constraint is emitted as ``ALTER TABLE … ADD CONSTRAINT``,
which SQLite rejects; a unique index does the same job on both engines and is
what ``INSERT … ON CONFLICT (cols)`` needs. Migrations spell the indexes out
(so a migration never changes meaning when a table class changes later) and
call :func:`add_unique_indexes`; ``tests/core/test_database.py`` checks that
every declared index exists in the migrated database.
"""

from __future__ import annotations

from typing import Iterable

from piccolo.table import Table


def index_name(tablename: str, cols: Iterable[str]) -> str:
    return f"{tablename}_{'_'.join(cols)}_uniq"


def unique_index_ddl(tablename: str, cols: tuple[str, ...], unique: bool = True) -> str:
    quoted = ", ".join(f'"{c}"' for c in cols)
    kind = "UNIQUE INDEX" if unique else "INDEX"
    name = index_name(tablename, cols) if unique else f"{tablename}_{'_'.join(cols)}_idx"
    return f'CREATE {kind} IF NOT EXISTS "{name}" ON "{tablename}" ({quoted})'


def declared(table: type[Table], unique: bool = True) -> list[tuple[str, tuple[str, ...]]]:
    attr = "UNIQUE_TOGETHER" if unique else "INDEX_TOGETHER"
    return [(table._meta.tablename, tuple(cols)) for cols in getattr(table, attr, ())]


def add_unique_indexes(
    manager, indexes: list[tuple[str, tuple[str, ...]]], plain: list[tuple[str, tuple[str, ...]]] = ()
) -> None:
    """Schedule ``CREATE [UNIQUE] INDEX`` statements in a Piccolo MigrationManager.

    Piccolo runs raw steps *before* ``add_table`` steps, so call this in a
    migration of its own that comes after the one creating the tables.

    ``plain`` are composite non-unique indexes (``INDEX_TOGETHER``): tenant-scoped
    look-ups want ``(tenant, column)``, or SQLite's planner settles for the lone
    tenant index and scans the whole tenant.
    """
    from core.db import piccolo_conf

    async def run():
        for tablename, cols in indexes:
            await piccolo_conf.DB.run_ddl(unique_index_ddl(tablename, cols))
        for tablename, cols in plain:
            await piccolo_conf.DB.run_ddl(unique_index_ddl(tablename, cols, unique=False))

    manager.add_raw(run)


def add_data_steps(manager, statements: list[str]) -> None:
    """Schedule SQL statements that fill new columns or tables from existing rows (a migration's backfill).

    Like the indexes, a raw step runs *before* the migration's ``add_table``/``add_column`` steps: put it in a later
    migration. Write SQL both engines accept, and scope every row by its ``tenant`` column yourself.
    """
    from core.db import piccolo_conf

    async def run():
        for statement in statements:
            await piccolo_conf.DB.run_ddl(statement)

    manager.add_raw(run)


async def create_declared_indexes(*tables: type[Table]) -> None:
    """For tests and tools that create tables without migrations."""
    for table in tables:
        for tablename, cols in declared(table):
            await table._meta.db.run_ddl(unique_index_ddl(tablename, cols))
        for tablename, cols in declared(table, unique=False):
            await table._meta.db.run_ddl(unique_index_ddl(tablename, cols, unique=False))


# The call-record page (plugins/bills/calls.py) reads one number's month: the first page of records sorted by
# time and the month's count and sums. With only (tenant, number, started_at) each matching row is a look-up in
# the table, scattered over it (a sync writes in time order, all numbers interleaved): a data-hungry line's
# 2,000 calls a month are 2,000 random reads. The same index carrying the columns the page shows answers both
# statements from the index alone (bench/calls.py). Same name, same leading columns, so it still is the
# declared INDEX_TOGETHER (tenant, number, started_at).
CALL_RECORD_PAGE_INDEX = "core_call_record_tenant_number_started_at_idx"
CALL_RECORD_PAGE_COLUMNS = ("call_type", "charge_fen", "duration_s", "called_number")


def call_record_page_index_ddl(postgres: bool) -> list[str]:
    """Statements that (re)create the call-record index as a covering one (PostgreSQL: INCLUDE; SQLite: trailing columns)."""
    extra = ", ".join(f'"{c}"' for c in CALL_RECORD_PAGE_COLUMNS)
    if postgres:
        create = (
            f'CREATE INDEX "{CALL_RECORD_PAGE_INDEX}" ON "core_call_record" ("tenant", "number", "started_at")'
            f" INCLUDE ({extra})"
        )
    else:
        create = (
            f'CREATE INDEX "{CALL_RECORD_PAGE_INDEX}" ON "core_call_record" ("tenant", "number", "started_at", {extra})'
        )
    return [f'DROP INDEX IF EXISTS "{CALL_RECORD_PAGE_INDEX}"', create]
