"""Indexes of the products migration (a migration of its own: Piccolo runs raw steps before add_table)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.db.indexes import add_unique_indexes

ID = "2026-12-08T09:00:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "indexes of products, product orders and lifecycle requests"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)
    add_unique_indexes(
        manager,
        [
            ("core_product", ("tenant", "product_key")),
            ("core_product_order", ("tenant", "number")),
            ("core_product_order", ("tenant", "request_key")),
            ("core_product_request", ("tenant", "request_key")),
        ],
        plain=[
            ("core_product", ("tenant", "account_legacy_id", "state")),
            ("core_product", ("tenant", "customer_legacy_id")),
            ("core_product", ("tenant", "number")),
            ("core_product", ("tenant", "state", "charged_by")),
            ("core_product", ("tenant", "open_order_id")),
            ("core_product_change", ("tenant", "product_id", "state")),
            ("core_product_change", ("tenant", "state", "effective_at")),
            ("core_product_change", ("tenant", "order_id")),
            ("core_product_event", ("tenant", "product_id")),
            ("core_product_order", ("tenant", "state", "created_at")),
            ("core_product_order", ("tenant", "customer_legacy_id", "created_at")),
            ("core_product_order", ("tenant", "process", "created_at")),
            ("core_product_order", ("tenant", "workorder_id")),
            ("core_product_order_item", ("tenant", "order_id")),
            ("core_product_order_item", ("tenant", "product_id")),
            ("core_product_order_milestone", ("tenant", "order_id")),
            ("core_product_request", ("tenant", "state", "created_at")),
            ("core_product_request", ("tenant", "product_id")),
            ("core_product_request", ("tenant", "order_id")),
        ],
    )
    return manager
