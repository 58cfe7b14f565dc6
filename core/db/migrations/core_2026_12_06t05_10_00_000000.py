"""SMS providers: the message row learns its provider, parts, retry time and delivery report; SMS parts; rate-limit counters."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSON, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T05:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "SMS providers: message columns, SMS parts, SMS rate-limit counters"


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

MESSAGE_COLUMNS = [
    ("params", "JSON", {"default": "{}"}),
    ("provider", "Varchar", {"length": 16, "default": ""}),
    ("parts", "Integer", {"default": 0}),
    ("next_attempt_at", "Timestamptz", {"default": None, "null": True}),
    ("delivered_at", "Timestamptz", {"default": None, "null": True}),
    ("report", "Varchar", {"length": 32, "default": ""}),
]
NEW_TABLES = {
    ("SmsPart", "core_sms_part"): [
        ("message", "Integer", {"default": 0}),
        ("part", "Integer", {"default": 0}),
        ("provider_id", "Varchar", {"length": 80, "default": ""}),
        ("status", "Varchar", {"length": 12, "default": "accepted"}),
        ("report", "Varchar", {"length": 32, "default": ""}),
        ("accepted_at", "Timestamptz", {"default": TimestamptzNow()}),
        ("reported_at", "Timestamptz", {"default": None, "null": True}),
    ],
    ("SmsQuota", "core_sms_quota"): [
        ("scope", "Varchar", {"length": 80, "default": ""}),
        ("window_start", "Timestamptz", {"default": TimestamptzNow()}),
        ("used", "Integer", {"default": 0}),
    ],
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)
    for name, kind, extra in MESSAGE_COLUMNS:
        manager.add_column(
            table_class_name="Message",
            tablename="core_message",
            column_name=name,
            db_column_name=name,
            column_class_name=kind,
            column_class=COLUMN_CLASSES[kind],
            params=_params(**extra),
            schema=None,
        )
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
