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


def add_unique_indexes(manager, indexes: list[tuple[str, tuple[str, ...]]], plain: list[tuple[str, tuple[str, ...]]] = ()) -> None:
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


async def create_declared_indexes(*tables: type[Table]) -> None:
    """For tests and tools that create tables without migrations."""
    for table in tables:
        for tablename, cols in declared(table):
            await table._meta.db.run_ddl(unique_index_ddl(tablename, cols))
        for tablename, cols in declared(table, unique=False):
            await table._meta.db.run_ddl(unique_index_ddl(tablename, cols, unique=False))
