from pathlib import Path

from piccolo.conf.apps import AppConfig

from plugins.phone.tables import TABLES

APP_CONFIG = AppConfig(
    app_name="phone",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=TABLES,
    migration_dependencies=["core.db.piccolo_app"],
)
