"""Products (issue 14): the inventory (products, their dated changes and history), product orders with items and
milestones, and the lifecycle requests of the owning plugins."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSON, BigInt, Boolean, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-08T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "products, their changes and history, product orders, items and milestones, lifecycle requests"


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
    ("Product", "core_product"): [
        ("product_key", "Varchar", {"length": 120, "default": ""}),
        ("specification", "Varchar", {"length": 32, "default": ""}),
        ("offering_code", "Varchar", {"length": 64, "default": ""}),
        ("name", "Varchar", {"length": 100, "default": ""}),
        ("legacy_code", "Varchar", {"length": 64, "default": ""}),
        ("customer_legacy_id", "Varchar", {"length": 64, "default": ""}),
        ("account_legacy_id", "Varchar", {"length": 64, "default": ""}),
        ("number", "Varchar", {"length": 64, "default": ""}),
        ("state", "Varchar", {"length": 24, "default": ""}),
        ("suspend_reasons", "Varchar", {"length": 64, "default": ""}),
        ("charged_by", "Varchar", {"length": 8, "default": "bss"}),
        ("one_off_fen", "BigInt", {"default": 0}),
        ("monthly_fee_fen", "BigInt", {"default": 0}),
        ("deposit_fen", "BigInt", {"default": 0}),
        ("min_spend_fen", "BigInt", {"default": 0}),
        ("characteristics", "JSON", {"default": "{}"}),
        ("source", "Varchar", {"length": 8, "default": "order"}),
        ("mirrored_at", "Timestamptz", {"default": None, "null": True}),
        ("open_order_id", "Integer", {"default": None, "null": True}),
        ("problem", "Varchar", {"length": 500, "default": ""}),
        ("started_at", "Timestamptz", {"default": None, "null": True}),
        ("ended_at", "Timestamptz", {"default": None, "null": True}),
        ("created_at", "Timestamptz", {"default": TimestamptzNow()}),
        ("updated_at", "Timestamptz", {"default": TimestamptzNow()}),
    ],
    ("ProductChange", "core_product_change"): [
        ("product_id", "Integer", {"default": 0}),
        ("order_id", "Integer", {"default": None, "null": True}),
        ("kind", "Varchar", {"length": 16, "default": ""}),
        ("changes", "JSON", {"default": "{}"}),
        ("effective_at", "Timestamptz", {"default": TimestamptzNow()}),
        ("state", "Varchar", {"length": 16, "default": "ordered"}),
        ("created_at", "Timestamptz", {"default": TimestamptzNow()}),
        ("applied_at", "Timestamptz", {"default": None, "null": True}),
    ],
    ("ProductEvent", "core_product_event"): [
        ("product_id", "Integer", {"default": 0}),
        ("action", "Varchar", {"length": 32, "default": ""}),
        ("from_state", "Varchar", {"length": 24, "default": ""}),
        ("to_state", "Varchar", {"length": 24, "default": ""}),
        ("order_id", "Integer", {"default": None, "null": True}),
        ("actor_kind", "Varchar", {"length": 16, "default": "system"}),
        ("actor_name", "Varchar", {"length": 100, "default": ""}),
        ("details", "JSON", {"default": "{}"}),
        ("at", "Timestamptz", {"default": TimestamptzNow()}),
    ],
    ("ProductOrder", "core_product_order"): [
        ("number", "Varchar", {"length": 32, "default": ""}),
        ("request_key", "Varchar", {"length": 160, "default": ""}),
        ("state", "Varchar", {"length": 24, "default": ""}),
        ("title", "Varchar", {"length": 200, "default": ""}),
        ("process", "Varchar", {"length": 64, "default": ""}),
        ("customer_legacy_id", "Varchar", {"length": 64, "default": ""}),
        ("customer_account_id", "Integer", {"default": None, "null": True}),
        ("account_legacy_id", "Varchar", {"length": 64, "default": ""}),
        ("channel", "Varchar", {"length": 16, "default": "portal"}),
        ("language", "Varchar", {"length": 8, "default": ""}),
        ("contact_phone", "Varchar", {"length": 32, "default": ""}),
        ("contact_email", "Varchar", {"length": 254, "default": ""}),
        ("amount_fen", "BigInt", {"default": 0}),
        ("payment_intent", "Varchar", {"length": 32, "default": ""}),
        ("workorder_id", "Integer", {"default": None, "null": True}),
        ("problem", "Varchar", {"length": 500, "default": ""}),
        ("note", "Varchar", {"length": 500, "default": ""}),
        ("created_at", "Timestamptz", {"default": TimestamptzNow()}),
        ("updated_at", "Timestamptz", {"default": TimestamptzNow()}),
        ("started_at", "Timestamptz", {"default": None, "null": True}),
        ("closed_at", "Timestamptz", {"default": None, "null": True}),
    ],
    ("ProductOrderItem", "core_product_order_item"): [
        ("order_id", "Integer", {"default": 0}),
        ("seq", "Integer", {"default": 1}),
        ("action", "Varchar", {"length": 8, "default": ""}),
        ("state", "Varchar", {"length": 24, "default": ""}),
        ("specification", "Varchar", {"length": 32, "default": ""}),
        ("offering_code", "Varchar", {"length": 64, "default": ""}),
        ("product_id", "Integer", {"default": None, "null": True}),
        ("number", "Varchar", {"length": 64, "default": ""}),
        ("one_off_fen", "BigInt", {"default": 0}),
        ("deposit_fen", "BigInt", {"default": 0}),
        ("monthly_fee_fen", "BigInt", {"default": 0}),
        ("effective_at", "Timestamptz", {"default": None, "null": True}),
        ("params", "JSON", {"default": "{}"}),
    ],
    ("ProductOrderMilestone", "core_product_order_milestone"): [
        ("order_id", "Integer", {"default": 0}),
        ("code", "Varchar", {"length": 32, "default": ""}),
        ("state", "Varchar", {"length": 24, "default": ""}),
        ("note", "Varchar", {"length": 500, "default": ""}),
        ("public", "Boolean", {"default": True}),
        ("at", "Timestamptz", {"default": TimestamptzNow()}),
    ],
    ("LifecycleRequest", "core_product_request"): [
        ("request_key", "Varchar", {"length": 160, "default": ""}),
        ("product_id", "Integer", {"default": 0}),
        ("order_id", "Integer", {"default": None, "null": True}),
        ("action", "Varchar", {"length": 16, "default": ""}),
        ("params", "JSON", {"default": "{}"}),
        ("state", "Varchar", {"length": 16, "default": "pending"}),
        ("attempts", "Integer", {"default": 0}),
        ("problem", "Varchar", {"length": 500, "default": ""}),
        ("created_at", "Timestamptz", {"default": TimestamptzNow()}),
        ("claimed_at", "Timestamptz", {"default": None, "null": True}),
        ("done_at", "Timestamptz", {"default": None, "null": True}),
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
