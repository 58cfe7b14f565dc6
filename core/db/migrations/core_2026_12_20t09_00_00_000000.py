"""Automatic payment (代扣): agreements; a charge's payment intent; a charge run's agreement charges."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSON, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-20T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = (
    "automatic payment: core_payment_agreement, core_charge.intent_id, core_charge_run.autopaid/autopay_refused"
)


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


COLUMN_CLASSES = {"Varchar": Varchar, "Integer": Integer, "Timestamptz": Timestamptz, "JSON": JSON, "Serial": Serial}

AGREEMENT = [
    ("public_id", "Varchar", {"length": 32, "default": ""}),
    ("customer_id", "Varchar", {"length": 64, "default": ""}),
    ("account_legacy_id", "Varchar", {"length": 64, "default": ""}),
    ("provider", "Varchar", {"length": 32, "default": ""}),
    ("state", "Varchar", {"length": 12, "default": "pending"}),
    ("agreement_no", "Varchar", {"length": 64, "default": ""}),
    ("payer", "Varchar", {"length": 64, "default": ""}),
    ("reason", "Varchar", {"length": 200, "default": ""}),
    ("notify_url", "Varchar", {"length": 300, "default": ""}),
    ("created_at", "Timestamptz", {"default": TimestamptzNow()}),
    ("signed_at", "Timestamptz", {"default": None, "null": True}),
    ("ended_at", "Timestamptz", {"default": None, "null": True}),
]
ADDED = [
    ("Charge", "core_charge", "intent_id", "Varchar", {"length": 32, "default": ""}),
    ("ChargeRun", "core_charge_run", "autopaid", "Integer", {"default": 0}),
    ("ChargeRun", "core_charge_run", "autopay_refused", "JSON", {"default": "[]"}),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)
    for class_name, tablename, name, kind, extra in ADDED:
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
    manager.add_table(class_name="Agreement", tablename="core_payment_agreement", schema=None, columns=None)
    head = [
        ("tenant", "Varchar", {"length": 32, "default": "", "index": True}),
        ("id", "Serial", {"primary_key": True}),
    ]
    for name, kind, extra in head + AGREEMENT:
        manager.add_column(
            table_class_name="Agreement",
            tablename="core_payment_agreement",
            column_name=name,
            db_column_name=name,
            column_class_name=kind,
            column_class=COLUMN_CLASSES[kind],
            params=_params(**extra),
            schema=None,
        )
    return manager
