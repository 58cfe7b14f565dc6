from pathlib import Path

from piccolo.conf.apps import AppConfig

from plugins.bills.tables import CallAccess, StepUp

APP_CONFIG = AppConfig(
    app_name="bills",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=[CallAccess, StepUp],
    migration_dependencies=["core.db.piccolo_app"],
)
