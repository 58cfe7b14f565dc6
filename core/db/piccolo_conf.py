"""Piccolo's configuration module (PICCOLO_CONF=core.db.piccolo_conf).

``DB`` and ``APP_REGISTRY`` are set by the running hall (core.db.engine and
core.db.migrate). Under Piccolo's own CLI (``piccolo migrations new <app> --auto``,
which plugin authors use to write migrations) they are built on first access by
loading the hall from hall.toml.
"""

from __future__ import annotations

import sys


def _bootstrap():
    from piccolo.conf.apps import AppRegistry

    from core.db.migrate import app_modules
    from core.hall import Hall

    hall = Hall.from_config(connect_tenants=False)  # binds DB as a side effect
    globals()["APP_REGISTRY"] = AppRegistry(apps=app_modules(hall))


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
