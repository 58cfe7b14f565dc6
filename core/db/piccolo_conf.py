"""Piccolo's configuration module (PICCOLO_CONF=core.db.piccolo_conf).

``DB`` and ``APP_REGISTRY`` are filled in by the running hall (core.db.engine and
core.db.migrate). Piccolo's own CLI (``piccolo migrations new <app> --auto``, used
by plugin authors to write migrations) gets them by loading the hall on import.
"""

from __future__ import annotations

from piccolo.conf.apps import AppRegistry

DB = None
APP_REGISTRY = AppRegistry(apps=["core.db.piccolo_app"])


def _bootstrap_for_piccolo_cli() -> None:
    import sys

    if "piccolo" not in (sys.argv[0] if sys.argv else ""):
        return
    from core.db.migrate import app_modules
    from core.hall import Hall

    hall = Hall.from_config(connect_tenants=False)
    global APP_REGISTRY
    APP_REGISTRY = AppRegistry(apps=app_modules(hall))


if DB is None:
    _bootstrap_for_piccolo_cli()
