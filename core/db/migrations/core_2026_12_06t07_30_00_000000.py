"""Legacy sync: look-back counts and the last change reconciliation on SyncState; the change reconciliation's runs."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T07:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "sync look-back counts, change reconciliation runs"


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


COLUMN_CLASSES = {"Varchar": Varchar, "Integer": Integer, "Timestamptz": Timestamptz, "Text": Text, "Serial": Serial}

STATE_COLUMNS = [
    ("reread_last_run", "Integer", {"default": 0}),
    ("changed_last_run", "Integer", {"default": 0}),
    ("changes_checked_at", "Timestamptz", {"default": None, "null": True}),
    ("changes_repaired", "Integer", {"default": 0}),
]
RUN_COLUMNS = [
    ("kind", "Varchar", {"length": 16, "default": ""}),
    ("started_at", "Timestamptz", {"default": None, "null": True}),
    ("finished_at", "Timestamptz", {"default": None, "null": True}),
    ("cursor", "Text", {"default": ""}),
    *(
        (name, "Integer", {"default": 0})
        for name in ("chunks", "compared", "changed", "missing", "deleted", "quarantined", "seconds")
    ),
    ("note", "Text", {"default": ""}),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)
    for name, kind, extra in STATE_COLUMNS:
        manager.add_column(
            table_class_name="SyncState",
            tablename="core_sync_state",
            column_name=name,
            db_column_name=name,
            column_class_name=kind,
            column_class=COLUMN_CLASSES[kind],
            params=_params(**extra),
            schema=None,
        )
    manager.add_table(class_name="ChangeReconcileRun", tablename="core_change_reconcile_run", schema=None, columns=None)
    head = [
        ("tenant", "Varchar", {"length": 32, "default": "", "index": True}),
        ("id", "Serial", {"primary_key": True}),
    ]
    for name, kind, extra in head + RUN_COLUMNS:
        manager.add_column(
            table_class_name="ChangeReconcileRun",
            tablename="core_change_reconcile_run",
            column_name=name,
            db_column_name=name,
            column_class_name=kind,
            column_class=COLUMN_CLASSES[kind],
            params=_params(**extra),
            schema=None,
        )
    return manager
