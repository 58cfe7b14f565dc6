"""The public API (issue 21): OAuth clients, their tokens and authorization codes (core/tmf/tables.py)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSON, BigInt, Boolean, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-12T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the public API: clients, tokens, codes, hub listeners and their deliveries"


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
    "Boolean": Boolean,
    "Integer": Integer,
    "JSON": JSON,
    "Timestamptz": Timestamptz,
    "Serial": Serial,
}

NEW_TABLES = {
    ("ApiClient", "core_api_client"): [
        ("client_id", "Varchar", {"length": 40, "default": ""}),
        ("name", "Varchar", {"length": 100, "default": ""}),
        ("kind", "Varchar", {"length": 16, "default": "app"}),
        ("secret_hash", "Varchar", {"length": 64, "default": ""}),
        ("redirect_uris", "JSON", {"default": "[]"}),
        ("scopes", "JSON", {"default": "[]"}),
        ("rate_per_minute", "Integer", {"default": 120}),
        ("active", "Boolean", {"default": True}),
        ("created_at", "Timestamptz", {"default": TimestamptzNow()}),
        ("rotated_at", "Timestamptz", {"default": None, "null": True}),
        ("revoked_at", "Timestamptz", {"default": None, "null": True}),
        ("last_seen_at", "Timestamptz", {"default": None, "null": True}),
        ("last_status", "Varchar", {"length": 200, "default": ""}),
    ],
    ("ApiToken", "core_api_token"): [
        ("token_hash", "Varchar", {"length": 64, "default": ""}),
        ("kind", "Varchar", {"length": 8, "default": "access"}),
        ("client", "Integer", {"default": 0}),
        ("customer", "Integer", {"default": None, "null": True}),
        ("scopes", "JSON", {"default": "[]"}),
        ("created_at", "Timestamptz", {"default": TimestamptzNow()}),
        ("expires_at", "Timestamptz", {"default": TimestamptzNow()}),
        ("revoked_at", "Timestamptz", {"default": None, "null": True}),
    ],
    ("ApiCode", "core_api_code"): [
        ("code_hash", "Varchar", {"length": 64, "default": ""}),
        ("client", "Integer", {"default": 0}),
        ("customer", "Integer", {"default": 0}),
        ("redirect_uri", "Varchar", {"length": 500, "default": ""}),
        ("scopes", "JSON", {"default": "[]"}),
        ("code_challenge", "Varchar", {"length": 128, "default": ""}),
        ("expires_at", "Timestamptz", {"default": TimestamptzNow()}),
        ("used_at", "Timestamptz", {"default": None, "null": True}),
    ],
    ("ApiListener", "core_api_listener"): [
        ("client", "Integer", {"default": 0}),
        ("callback", "Varchar", {"length": 500, "default": ""}),
        ("query", "Varchar", {"length": 500, "default": ""}),
        ("active", "Boolean", {"default": True}),
        ("created_at", "Timestamptz", {"default": TimestamptzNow()}),
    ],
    ("ApiDelivery", "core_api_delivery"): [
        ("event_id", "Varchar", {"length": 36, "default": ""}),
        ("listener", "Integer", {"default": 0}),
        ("kind", "Varchar", {"length": 64, "default": ""}),
        ("payload", "JSON", {"default": "{}"}),
        ("status", "Varchar", {"length": 12, "default": "pending"}),
        ("attempts", "Integer", {"default": 0}),
        ("next_attempt_at", "Timestamptz", {"default": TimestamptzNow()}),
        ("claimed_at", "Timestamptz", {"default": None, "null": True}),
        ("last_error", "Varchar", {"length": 500, "default": ""}),
        ("created_at", "Timestamptz", {"default": TimestamptzNow()}),
        ("delivered_at", "Timestamptz", {"default": None, "null": True}),
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
