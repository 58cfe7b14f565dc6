"""The Piccolo engine a database URL names (SQLite file relative to the deployment root, or PostgreSQL).

Kept apart from core.db.engine so that Piccolo's own CLI (core.db.piccolo_conf)
can build one without the running hall.
"""

from __future__ import annotations

from pathlib import Path

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine

from core.db.sqlite import PooledSQLiteEngine
from core.db.url import DatabaseURL


def build_engine(parsed: DatabaseURL, root: Path, pool_size: int) -> Engine:
    """A SQLite engine (its folder created, at most 8 readers) or a PostgreSQL one."""
    if parsed.engine == "sqlite":
        path = Path(parsed.path)
        if not path.is_absolute():
            path = root / path
        path.parent.mkdir(parents=True, exist_ok=True)
        return PooledSQLiteEngine(path=str(path), pool_size=min(pool_size, 8))
    return PostgresEngine(config=parsed.postgres_config())
