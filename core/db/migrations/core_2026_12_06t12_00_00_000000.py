"""Accounts (账户): the billing account table, the account of a number and of a bill, the number of a bill item,
and the balance cache."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "billing accounts, account of numbers and bills, number of bill items, balance cache"


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


COLUMN_CLASSES = {"Varchar": Varchar, "BigInt": BigInt, "Timestamptz": Timestamptz, "Serial": Serial}

NEW_COLUMNS = [
    ("ServiceNumber", "core_service_number", "account_legacy_id", "Varchar", {"length": 64, "default": ""}),
    ("Bill", "core_bill", "account_legacy_id", "Varchar", {"length": 64, "default": ""}),
    ("BillItem", "core_bill_item", "number", "Varchar", {"length": 32, "default": ""}),
]
NEW_TABLES = {
    ("BillingAccount", "core_billing_account"): [
        ("legacy_id", "Varchar", {"length": 64, "default": ""}),
        ("customer_legacy_id", "Varchar", {"length": 64, "default": ""}),
        ("name", "Varchar", {"length": 100, "default": ""}),
        ("billing", "Varchar", {"length": 16, "default": "postpaid"}),
        ("status", "Varchar", {"length": 16, "default": "active"}),
        ("synced_at", "Timestamptz", {"default": TimestamptzNow()}),
    ],
    ("Balance", "core_balance"): [
        ("account_legacy_id", "Varchar", {"length": 64, "default": ""}),
        ("balance_fen", "BigInt", {"default": 0}),
        ("billing", "Varchar", {"length": 16, "default": "postpaid"}),
        ("as_of", "Timestamptz", {"default": None, "null": True}),
        ("fetched_at", "Timestamptz", {"default": None, "null": True}),
    ],
}


def _add(manager, class_name: str, tablename: str, name: str, kind: str, extra: dict) -> None:
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


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)
    for class_name, tablename, name, kind, extra in NEW_COLUMNS:
        _add(manager, class_name, tablename, name, kind, extra)
    for (class_name, tablename), columns in NEW_TABLES.items():
        manager.add_table(class_name=class_name, tablename=tablename, schema=None, columns=None)
        head = [
            ("tenant", "Varchar", {"length": 32, "default": "", "index": True}),
            ("id", "Serial", {"primary_key": True}),
        ]
        for name, kind, extra in head + columns:
            _add(manager, class_name, tablename, name, kind, extra)
    return manager
