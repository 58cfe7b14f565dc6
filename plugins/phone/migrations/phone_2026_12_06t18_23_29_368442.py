from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T18:23:29:368442"
VERSION = "1.38.0"
DESCRIPTION = "holds per installation address"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="phone", description=DESCRIPTION)

    manager.add_column(
        table_class_name="NumberHold",
        tablename="phone_number_hold",
        column_name="live_address",
        db_column_name="live_address",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 80,
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
