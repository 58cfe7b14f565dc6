"""Database URL parsing shared by configuration validation and engine set-up."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit


@dataclass(frozen=True)
class DatabaseURL:
    engine: str  # "sqlite" | "postgres"
    path: str = ""  # sqlite file
    host: str = ""
    port: int = 5432
    user: str = ""
    password: str = ""
    database: str = ""

    def postgres_config(self) -> dict:
        cfg = {"host": self.host or "127.0.0.1", "port": self.port, "database": self.database}
        if self.user:
            cfg["user"] = self.user
        if self.password:
            cfg["password"] = self.password
        return cfg


def parse_database_url(url: str) -> DatabaseURL:
    """Parse ``sqlite:///path`` or ``postgresql://user:pw@host:port/db``; ValueError says what is wrong."""
    if not isinstance(url, str) or "://" not in url:
        raise ValueError(f"not a database URL: {url!r} (expected sqlite:///path or postgresql://host/db)")
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = unquote(parts.path)
        if parts.netloc:
            raise ValueError(f"sqlite URL must have three slashes (sqlite:///path), got {url!r}")
        path = (
            path[1:]
            if path.startswith("/") and not path.startswith("//") and not url.startswith("sqlite:////")
            else path
        )
        if url.startswith("sqlite:////"):
            path = "/" + path.lstrip("/")
        if not path:
            raise ValueError("sqlite URL names no file")
        return DatabaseURL(engine="sqlite", path=path)
    if parts.scheme in ("postgres", "postgresql"):
        name = parts.path.lstrip("/")
        if not name:
            raise ValueError(f"PostgreSQL URL names no database: {url!r}")
        try:
            port = parts.port or 5432
        except ValueError as exc:
            raise ValueError(f"bad port in database URL {url!r}") from exc
        return DatabaseURL(
            engine="postgres",
            host=parts.hostname or "127.0.0.1",
            port=port,
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            database=name,
        )
    raise ValueError(f"unsupported database scheme {parts.scheme!r} (use sqlite or postgresql)")
