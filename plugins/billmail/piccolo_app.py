from pathlib import Path

from piccolo.conf.apps import AppConfig

from plugins.billmail.tables import Batch, Send, Subscription

APP_CONFIG = AppConfig(
    app_name="billmail",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=[Subscription, Batch, Send],
    migration_dependencies=["core.db.piccolo_app"],
)
