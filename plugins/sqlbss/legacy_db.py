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
    """The mapped tables with their real names; ``cust``/``line`` map a role (``name``, ``changed``, ...) to a column."""

    customers: sa.Table
    numbers: sa.Table
    cust: dict[str, sa.ColumnElement]
    cust_key: tuple[sa.ColumnElement, ...]
    line: dict[str, sa.ColumnElement]
    line_key: tuple[sa.ColumnElement, ...]


def numbered(table: sa.Table, found: dict[str, list[str]], role: str) -> dict[str, sa.ColumnElement]:
    """A role of one or more columns as ``role0``, ``role1``...: each is selected under that label (an account key)."""
    return {f"{role}{i}": table.c[name] for i, name in enumerate(found.get(role) or [])}


def _pick(wanted: str, have: list[str]) -> str | None:
    if wanted in have:
        return wanted
    folded = [h for h in have if h.casefold() == wanted.casefold()]
    return folded[0] if len(folded) == 1 else None


def _column_type(reflected, key: bool):
    """The reflected type of a key; a plain String of the declared length for text (no driver-specific processing)."""
    if key:
        return reflected
    return sa.String(getattr(reflected, "length", None)) if isinstance(reflected, sa.String) else None


class _Resolver:
    def __init__(self, conn: sa.Connection, file: str):
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
    ctable, cfound = r.table(
        c.table, "connector.customers.table", {"key": c.key, **{role: getattr(c, role) for role in CUSTOMER_ROLES}}
    )
    ntable, nfound = r.table(
        n.table,
        "connector.numbers.table",
        {"customer_key": n.customer_key, **{role: getattr(n, role) for role in NUMBER_ROLES}, "account": n.account},
    )
    if ctable is None or ntable is None:
        return None, r.issues
    single = lambda table, found: {role: table.c[names[0]] for role, names in found.items() if len(names) == 1}  # noqa: E731
    schema = LegacySchema(
        customers=ctable,
        numbers=ntable,
        cust=single(ctable, cfound),
        cust_key=tuple(ctable.c[x] for x in cfound["key"]),
        line={
            **single(ntable, {r: x for r, x in nfound.items() if r != "account"}),
            **numbered(ntable, nfound, "account"),
        },
        line_key=tuple(ntable.c[x] for x in nfound["customer_key"]),
    )
    return schema, []
