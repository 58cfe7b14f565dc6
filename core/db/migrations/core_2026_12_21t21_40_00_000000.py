"""The page cache's data versions: core_page_version (tenant, customer, version)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer, Serial, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-21T21:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "core_page_version"


def _params(**extra):
    params = {
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
    }
    params.update(extra)
    return params


COLUMNS = [
    ("tenant", Varchar, {"length": 32, "default": "", "index": True}),
    ("id", Serial, {"primary_key": True}),
    ("customer", Integer, {"default": 0}),
    ("version", Integer, {"default": 0}),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)
    manager.add_table(class_name="PageVersion", tablename="core_page_version", schema=None, columns=None)
    for name, kind, extra in COLUMNS:
        manager.add_column(
            table_class_name="PageVersion",
            tablename="core_page_version",
            column_name=name,
            db_column_name=name,
            column_class_name=kind.__name__,
            column_class=kind,
            params=_params(**extra),
            schema=None,
        )
    return manager
