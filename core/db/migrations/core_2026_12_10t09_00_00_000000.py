"""Recurring charges (issue 14 item 5): charges per product and month, the charge runs, the notices sent."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSON, BigInt, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-10T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "recurring charges: core_charge, core_charge_run, core_charge_notice"


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


COLUMN_CLASSES = {
    "Varchar": Varchar,
    "BigInt": BigInt,
    "Integer": Integer,
    "JSON": JSON,
    "Timestamptz": Timestamptz,
    "Serial": Serial,
}

NEW_TABLES = {
    ("Charge", "core_charge"): [
        ("product_id", "Integer", {"default": 0}),
        ("period", "Varchar", {"length": 7, "default": ""}),
        ("period_start", "Timestamptz", {"default": TimestamptzNow()}),
        ("period_end", "Timestamptz", {"default": TimestamptzNow()}),
        ("account_legacy_id", "Varchar", {"length": 64, "default": ""}),
        ("customer_legacy_id", "Varchar", {"length": 64, "default": ""}),
        ("number", "Varchar", {"length": 64, "default": ""}),
        ("amount_fen", "BigInt", {"default": 0}),
        ("settle", "Varchar", {"length": 8, "default": "bss"}),
        ("state", "Varchar", {"length": 12, "default": ""}),
        ("reason", "Varchar", {"length": 200, "default": ""}),
        ("event_id", "Varchar", {"length": 36, "default": ""}),
        ("run_id", "Integer", {"default": None, "null": True}),
        ("suspend_at", "Timestamptz", {"default": None, "null": True}),
        ("suspend_change_id", "Integer", {"default": None, "null": True}),
        ("created_at", "Timestamptz", {"default": TimestamptzNow()}),
        ("settled_at", "Timestamptz", {"default": None, "null": True}),
    ],
    ("ChargeRun", "core_charge_run"): [
        ("started_at", "Timestamptz", {"default": TimestamptzNow()}),
        ("finished_at", "Timestamptz", {"default": None, "null": True}),
        ("state", "Varchar", {"length": 12, "default": "running"}),
        ("periods", "Varchar", {"length": 100, "default": ""}),
        ("charged", "Integer", {"default": 0}),
        ("skipped", "Integer", {"default": 0}),
        ("arrears", "Integer", {"default": 0}),
        ("settled", "Integer", {"default": 0}),
        ("failed", "Integer", {"default": 0}),
        ("failures", "JSON", {"default": "[]"}),
    ],
    ("ChargeNotice", "core_charge_notice"): [
        ("product_id", "Integer", {"default": 0}),
        ("period", "Varchar", {"length": 7, "default": ""}),
        ("kind", "Varchar", {"length": 16, "default": ""}),
        ("message_id", "Integer", {"default": None, "null": True}),
        ("sent_at", "Timestamptz", {"default": TimestamptzNow()}),
    ],
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)
    for (class_name, tablename), columns in NEW_TABLES.items():
        manager.add_table(class_name=class_name, tablename=tablename, schema=None, columns=None)
        head = [
            ("tenant", "Varchar", {"length": 32, "default": "", "index": True}),
            ("id", "Serial", {"primary_key": True}),
        ]
        for name, kind, extra in head + columns:
            manager.add_column(
                table_class_name=class_name,
                tablename=tablename,
                column_name=name,
                db_column_name=name,
                column_class_name=kind,
                column_class=COLUMN_CLASSES[kind],
                params=_params(**extra),
                schema=None,
            )
    return manager
