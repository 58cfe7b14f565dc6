"""A long-distance request's externalId (the public API's serviceOrder): a retry with it is the same request."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T21:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "service order externalId"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="phone", description=DESCRIPTION)

    manager.add_column(
        table_class_name="FeatureRequest",
        tablename="phone_feature_request",
        column_name="external_id",
        db_column_name="external_id",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 64,
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
