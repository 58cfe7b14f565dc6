from pathlib import Path

from piccolo.conf.apps import AppConfig

from plugins.service.tables import Attachment, Faq, Outlet, ServicePage, Submission

APP_CONFIG = AppConfig(
    app_name="service",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=[ServicePage, Outlet, Faq, Attachment, Submission],
    migration_dependencies=["core.db.piccolo_app"],
)
