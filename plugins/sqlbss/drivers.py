"""Database drivers of legacy systems: optional extras, and a clear word when one is not installed.

PostgreSQL's psycopg is a hall dependency. MySQL/MariaDB (PyMySQL) and Oracle
(python-oracledb, thin mode: no Oracle client libraries needed) are the extras
``hall[mysql]`` and ``hall[oracle]``; any other SQLAlchemy dialect works once
its driver is installed. SQLAlchemy imports the driver when the engine is
built, so a missing one is found when the hall is built (start-up and ``hall
check``) and reported as the tenant's ``connector.url``, not as a traceback.
"""

from __future__ import annotations

from typing import Any, Callable

import sqlalchemy as sa

from core.api import ConfigError, ConfigIssue

EXTRAS = {"pymysql": "mysql", "oracledb": "oracle"}  # driver module -> the hall's extra that installs it


def _missing_driver(url: sa.URL, module: str) -> str:
    extra = EXTRAS.get(module)
    fix = (
        f"install hall[{extra}] (pip install 'hall[{extra}]')"
        if extra
        else f"install the Python package that provides {module!r}"
    )
    return f"the driver {module!r} for {url.drivername}:// URLs is not installed: {fix}"


def connect_args(url: sa.URL) -> dict[str, Any]:
    """Timeouts (and the character set) per driver: a silent network must not hang a sync job."""
    backend = url.get_backend_name()
    if backend == "postgresql":
        # connecting waits 10 s, a dead peer is noticed by TCP keepalives within ~1 min, a query (one page) may take 5 min at most
        return {
            "connect_timeout": 10,
            "keepalives": 1,
            "keepalives_idle": 30,
            "keepalives_interval": 10,
            "keepalives_count": 3,
            "options": "-c statement_timeout=300000",
        }
    if backend in ("mysql", "mariadb") and url.get_driver_name() == "pymysql":
        args: dict[str, Any] = {"connect_timeout": 10, "read_timeout": 300, "write_timeout": 300}
        if "charset" not in url.query:
            args["charset"] = "utf8mb4"  # names in Chinese: MySQL's "utf8" has 3-byte characters only
        return args
    if backend == "oracle" and url.get_driver_name() == "oracledb":
        return {"tcp_connect_timeout": 10}
    return {}


def create_engine(url: sa.URL, tenant_file: str, **kwargs: Any) -> sa.Engine:
    """``sa.create_engine`` with a ConfigError on ``connector.url`` when the dialect or its driver is missing."""
    try:
        return sa.create_engine(url, **kwargs)
    except sa.exc.NoSuchModuleError:
        raise ConfigError(
            [ConfigIssue(tenant_file, "connector.url", f"no SQLAlchemy dialect for {url.drivername}:// URLs")]
        ) from None
    except ImportError as exc:
        module = (exc.name or str(exc)).split(".")[0]
        raise ConfigError([ConfigIssue(tenant_file, "connector.url", _missing_driver(url, module))]) from None


def read_only(conn: sa.Connection) -> Callable[[], None] | None:
    """Make the rest of this connection's transaction read-only where the database allows; the undo, if one is needed.

    For mappings with an integrator's query (query_source.py): whatever slips past its
    validation cannot write. PostgreSQL, MySQL/MariaDB and Oracle take ``SET TRANSACTION
    READ ONLY`` as the transaction's first statement (it ends with the transaction);
    SQLite has ``PRAGMA query_only`` on the connection, switched off again afterwards as
    the pooled connection also serves the write-back.
    """
    backend = conn.engine.url.get_backend_name()
    if backend == "sqlite":
        conn.exec_driver_sql("PRAGMA query_only = 1")
        return lambda: conn.exec_driver_sql("PRAGMA query_only = 0")
    if backend in ("postgresql", "mysql", "mariadb", "oracle"):
        conn.exec_driver_sql("SET TRANSACTION READ ONLY")
    return None
