"""Piccolo's configuration module (PICCOLO_CONF=core.db.piccolo_conf).

``DB`` and ``APP_REGISTRY`` are set by the running hall (core.db.engine and
core.db.migrate). Under Piccolo's own CLI (``piccolo migrations new <app> --auto``,
which plugin authors use to write migrations) they are built on first access
from hall.toml: the database URL from the settings, the apps from the plugins
(core.db.apps). The hall itself is not built, so this module never imports
core.hall, which imports everything (and this module, through core.db.engine).
"""

from __future__ import annotations

import sys


def _bootstrap() -> None:
    from piccolo.conf.apps import AppRegistry

    from core.config import load_settings
    from core.db.apps import app_modules
    from core.db.engines import build_engine
    from core.db.url import parse_database_url
    from core.plugins import HallPluginManager

    settings = load_settings()
    database = settings.deployment.database
    plugins = HallPluginManager()
    plugins.load_builtin()
    plugins.load_entrypoints()
    globals()["DB"] = build_engine(parse_database_url(database.url), settings.root, database.pool_size)
    globals()["APP_REGISTRY"] = AppRegistry(apps=app_modules(plugins))


def __getattr__(name: str):
    if name in ("DB", "APP_REGISTRY"):
        if "piccolo" in (sys.argv[0] if sys.argv else "") and "APP_REGISTRY" not in globals():
            _bootstrap()
            return globals()[name]
        if name == "APP_REGISTRY":
            from piccolo.conf.apps import AppRegistry

            return AppRegistry(apps=["core.db.piccolo_app"])
        raise AttributeError("core.db.piccolo_conf.DB is not set: build a Hall (core.hall.Hall.from_config) first")
    raise AttributeError(name)
