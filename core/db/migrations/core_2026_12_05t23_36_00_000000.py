"""The call-record page's index carries the columns the page reads (core/db/indexes.py call_record_page_index_ddl).

(tenant, number, started_at) stays the leading key and the name stays, so it is still the declared
INDEX_TOGETHER; with the page's columns in it (PostgreSQL: INCLUDE) the first page of a month and the
month's count and sums are read from the index alone. With 10,000,000 call records and a line with
2,000 calls a month that took the month's first page from ~9 ms to ~1-2 ms (bench/calls.py).
Rebuilding it on a big table takes minutes and, on PostgreSQL, blocks writes to the table meanwhile.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-05T23:36:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "call records: covering index for the call-record page"


async def forwards():
    from piccolo.engine.postgres import PostgresEngine

    from core.db import piccolo_conf
    from core.db.indexes import call_record_page_index_ddl

    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def run():
        for ddl in call_record_page_index_ddl(postgres=isinstance(piccolo_conf.DB, PostgresEngine)):
            await piccolo_conf.DB.run_ddl(ddl)

    manager.add_raw(run)
    return manager
