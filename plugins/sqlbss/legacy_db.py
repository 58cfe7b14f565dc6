"""Reaching the legacy database: its URL, its engine, and its real table and column names.

The mapping names tables and columns as the operator wrote them; the database
may spell them differently (PostgreSQL folds unquoted names to lower case,
Oracle reports upper case). :func:`resolve` reflects the schema once and
matches names exactly, else case-insensitively, and reports every name it
cannot find as a ConfigIssue (file, key, reason) - the same shape as a typo in
tenant.toml, because that is usually what it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from core.api import ConfigIssue
from core.api.db import parse_database_url
from plugins.sqlbss import drivers
from plugins.sqlbss.changes import Child
from plugins.sqlbss.frames import Frame, SectionResolver
from plugins.sqlbss.sql_parts import pick as _pick
from plugins.sqlbss.mapping import SqlBssMapping

CUSTOMER_ROLES = ("name", "id_number", "email", "phone", "address", "status", "changed")
NUMBER_ROLES = ("number", "kind", "status")


def engine_url(url: str, root: Path) -> sa.URL:
    """sqlite paths resolve against the hall's folder and open read-write without creating the file;
    postgresql:// uses psycopg 3 (a hall dependency); any other SQLAlchemy URL is passed through."""
    scheme = url.split("://", 1)[0]
    if scheme in ("sqlite", "postgres", "postgresql"):
        parsed = parse_database_url(url)
        if parsed.engine == "sqlite":
            path = Path(parsed.path)
            path = path if path.is_absolute() else root / path
            return sa.make_url(f"sqlite:///file:{path}?mode=rw&uri=true")
        return sa.URL.create(
            "postgresql+psycopg",
            username=parsed.user or None,
            password=parsed.password or None,
            host=parsed.host,
            port=parsed.port,
            database=parsed.database,
        )
    return sa.make_url(url)


def make_engine(mapping: SqlBssMapping, root: Path, tenant_file: str = "tenant.toml") -> sa.Engine:
    """The engine (no connection yet); ConfigError on ``connector.url`` when its driver is not installed (drivers.py)."""
    url = engine_url(mapping.url, root)
    kwargs = {"pool_pre_ping": True}
    if url.get_backend_name() != "sqlite":
        kwargs.update(pool_size=mapping.pool_size, max_overflow=0, pool_timeout=30)
    if args := drivers.connect_args(url):
        kwargs["connect_args"] = args
    return drivers.create_engine(url, tenant_file, **kwargs)


def sqlite_path(mapping: SqlBssMapping, root: Path) -> Path | None:
    url = engine_url(mapping.url, root)
    if url.get_backend_name() != "sqlite":
        return None
    return Path((url.database or "").removeprefix("file:"))


@dataclass(frozen=True)
class LegacySchema:
    """The mapped sections against the live schema: their frames (tables, look-ups, filters) and a column per role.

    ``cust``/``line`` map a role (``name``, ``changed``, ...) to its SQL expression; ``lines_changed``
    is the lines' own change time when ``numbers.changed`` is mapped (changes.py).
    """

    cust_frame: Frame
    line_frame: Frame
    cust: dict[str, sa.ColumnElement]
    cust_key: tuple[sa.ColumnElement, ...]
    line: dict[str, sa.ColumnElement]
    line_key: tuple[sa.ColumnElement, ...]
    cust_key_types: tuple = ()
    line_key_types: tuple = ()
    lines_changed: Child | None = None


def _column_type(reflected, key: bool):
    """The reflected type of a key; a plain String of the declared length for text (no driver-specific processing)."""
    if key:
        return reflected
    return sa.String(getattr(reflected, "length", None)) if isinstance(reflected, sa.String) else None


class _Resolver:
    def __init__(self, conn: sa.Connection, file: str):
        self.conn = conn
        self.inspector = sa.inspect(conn)
        self.file = file
        self.issues: list[ConfigIssue] = []

    def table(self, qualified: str, key: str, columns: dict[str, str | list[str] | None]):
        schema, _, name = qualified.rpartition(".")
        schema = schema or None
        have = self.inspector.get_table_names(schema=schema) + self.inspector.get_view_names(schema=schema)
        actual = _pick(name, have)
        if actual is None:
            listing = ", ".join(sorted(have)) or "none"
            self.issues.append(
                ConfigIssue(self.file, key, f"table {qualified!r} not found in the legacy database (tables: {listing})")
            )
            return None, {}
        reflected = self.inspector.get_columns(actual, schema=schema)
        have_cols = [c["name"] for c in reflected]
        found: dict[str, list[str]] = {}
        for role, wanted in columns.items():
            if wanted is None:
                continue
            names = []
            for col in [wanted] if isinstance(wanted, str) else wanted:
                real = _pick(col, have_cols)
                if real is None:
                    reason = f"column {col!r} not found in table {actual} (columns: {', '.join(have_cols)})"
                    self.issues.append(ConfigIssue(self.file, f"{key.rsplit('.', 1)[0]}.{role}", reason))
                names.append(real)
            found[role] = names
        if any(None in names for names in found.values()):
            return None, {}
        distinct = list(dict.fromkeys(n for names in found.values() for n in names))
        # Key columns (account columns too: they hold an account's key) keep their type, so a key read back
        # from a legacy id is compared as text or as a number as the column is (PostgreSQL refuses text = integer). Text columns keep theirs too: its
        # declared length lets a look-up find CHAR(n)-padded values by index (padding.py); text needs no
        # result processing. Other columns stay untyped: their values reach the converters exactly as
        # the driver returns them.
        keys = {
            n for role, names in found.items() if role in ("key", "account") or role.endswith("_key") for n in names
        }
        types = {c["name"]: c["type"] for c in reflected}
        return sa.table(
            actual, *(sa.column(n, _column_type(types[n], n in keys)) for n in distinct), schema=schema
        ), found


def resolve(conn: sa.Connection, mapping: SqlBssMapping, file: str) -> tuple[LegacySchema | None, list[ConfigIssue]]:
    """Match the mapping against the live schema; (schema, []) or (None, issues)."""
    r = _Resolver(conn, file)
    c, n = mapping.customers, mapping.numbers
    cs = SectionResolver(r, "customers", c)
    cust_key = cs.columns("key", c.key)
    cust = {role: cs.column(role, getattr(c, role)) for role in CUSTOMER_ROLES if getattr(c, role) is not None}
    cust_frame = cs.frame()
    ns = SectionResolver(r, "numbers", n)
    line_key = ns.columns("customer_key", n.customer_key)
    line = {role: ns.column(role, getattr(n, role)) for role in NUMBER_ROLES if getattr(n, role) is not None}
    changed = ns.column("changed", n.changed) if n.changed is not None else None
    account = ns.columns("account", n.account) if n.account is not None else None
    line_frame = ns.frame()
    if r.issues:
        return None, r.issues
    return LegacySchema(
        cust_frame=cust_frame,
        line_frame=line_frame,
        cust=cust,
        cust_key=cust_key,
        line={**line, **{f"account{i}": c for i, c in enumerate(account or ())}},
        line_key=line_key,
        cust_key_types=cs.types["key"],
        line_key_types=ns.types["customer_key"],
        lines_changed=Child(line_frame, changed, line_key, ns.types["customer_key"]) if changed is not None else None,
    ), []
