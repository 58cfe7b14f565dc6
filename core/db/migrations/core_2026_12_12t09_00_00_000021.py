"""The hub's watermarks (core/tmf/tables.py ApiWatermark): how far it has told listeners of new bills."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-12T09:00:00:000021"
VERSION = "1.38.0"
DESCRIPTION = "the API hub's watermarks (CustomerBillCreateEvent)"

COLUMNS = [
    ("tenant", Varchar, {"length": 32, "default": "", "index": True}),
    ("id", Serial, {"primary_key": True}),
    ("kind", Varchar, {"length": 32, "default": ""}),
    ("last_id", BigInt, {"default": 0}),
    ("updated_at", Timestamptz, {"default": TimestamptzNow()}),
]


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


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)
    manager.add_table(class_name="ApiWatermark", tablename="core_api_watermark", schema=None, columns=None)
    for name, column_class, extra in COLUMNS:
        manager.add_column(
            table_class_name="ApiWatermark",
            tablename="core_api_watermark",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=_params(**extra),
            schema=None,
        )
    return manager
