from pathlib import Path

from piccolo.conf.apps import AppConfig

from plugins.shop.aftersales_tables import TABLES as AFTERSALES_TABLES
from plugins.shop.tables import TABLES

APP_CONFIG = AppConfig(
    app_name="shop",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=TABLES + AFTERSALES_TABLES,
    migration_dependencies=["core.db.piccolo_app"],
)
