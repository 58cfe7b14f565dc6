"""Payments credited to accounts (issue 14): so a payment settles the arrears of its account at once (复机)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-11T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "core_balance_credit: payments the hall took for an account, until the BSS's balance shows them"

COLUMNS = [
    ("tenant", Varchar, {"length": 32, "default": "", "index": True}),
    ("id", Serial, {"primary_key": True}),
    ("account_legacy_id", Varchar, {"length": 64, "default": ""}),
    ("intent_id", Varchar, {"length": 64, "default": ""}),
    ("amount_fen", BigInt, {"default": 0}),
    ("event_id", Varchar, {"length": 36, "default": ""}),
    ("credited_at", Timestamptz, {"default": TimestamptzNow()}),
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
    manager.add_table(class_name="BalanceCredit", tablename="core_balance_credit", schema=None, columns=None)
    for name, column, extra in COLUMNS:
        manager.add_column(
            table_class_name="BalanceCredit",
            tablename="core_balance_credit",
            column_name=name,
            db_column_name=name,
            column_class_name=column.__name__,
            column_class=column,
            params=_params(**extra),
            schema=None,
        )
    return manager
