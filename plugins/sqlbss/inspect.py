"""``hall connector inspect URL``: what an unknown legacy database holds, read-only, as data.

Onboarding a new operator starts with a schema nobody documented. This module
reflects the tables (SQLAlchemy's inspector), counts their rows, reads a
sample of rows per table and hands each column to :mod:`inspect_guess`, which
guesses money, time and code columns from names and value shapes. Nothing is
written: SQLite files are opened ``mode=ro``, other databases only see
``SELECT``. Personal data in the samples (ID numbers, mobile numbers, Chinese
names) is masked before it leaves this module, so a report can be pasted into
an issue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from core.api import ConfigError
from plugins.sqlbss import drivers
from plugins.sqlbss.inspect_guess import Guess, guess_column, mask

SAMPLE_ROWS = 500  # rows read per table for the guesses (the first ones the database returns)


class InspectError(Exception):
    """The database cannot be inspected (bad URL, missing driver, unreachable); the message is one line."""


@dataclass
class ColumnReport:
    name: str
    type: str
    nullable: bool
    primary_key: bool
    samples: list[str]  # up to --sample distinct values, masked
    guess: Guess


@dataclass
class TableReport:
    name: str
    rows: int
    columns: list[ColumnReport] = field(default_factory=list)

    def column(self, name: str) -> ColumnReport | None:
        return next((c for c in self.columns if c.name.casefold() == name.casefold()), None)

    @property
    def primary_key(self) -> list[str]:
        return [c.name for c in self.columns if c.primary_key]


def inspect_url(
    url: str, tables: list[str] | None = None, sample: int = 5, root: Path | None = None
) -> list[TableReport]:
    """Reports for every table (or only ``tables``) of the database at ``url``; InspectError in one line."""
    engine = open_engine(url, root or Path.cwd())
    try:
        with engine.connect() as conn:
            inspector = sa.inspect(conn)
            names = inspector.get_table_names()
            if tables:
                wanted = {t.casefold() for t in tables}
                missing = wanted - {n.casefold() for n in names}
                if missing:
                    raise InspectError(
                        f"no table {', '.join(sorted(missing))} in the database (tables: {', '.join(sorted(names))})"
                    )
                names = [n for n in names if n.casefold() in wanted]
            return [_table(conn, inspector, name, sample) for name in sorted(names)]
    except sa.exc.DBAPIError as exc:
        raise InspectError(f"cannot read {_shown(url)}: {_first_line(exc.orig or exc)}") from None
    except sa.exc.SQLAlchemyError as exc:
        raise InspectError(f"cannot read {_shown(url)}: {_first_line(exc)}") from None
    finally:
        engine.dispose()


def open_engine(url: str, root: Path) -> sa.Engine:
    """A read-only engine: sqlite paths (relative to ``root``) open ``mode=ro``; other URLs as sqlbss opens them."""
    from plugins.sqlbss.legacy_db import engine_url

    try:
        target = engine_url(url, root)
    except (ValueError, sa.exc.ArgumentError) as exc:
        raise InspectError(f"not a database URL: {_shown(url)} ({_first_line(exc)})") from None
    if target.get_backend_name() == "sqlite":
        path = Path((target.database or "").removeprefix("file:"))
        if not path.is_file():
            raise InspectError(f"no SQLite database at {path}")
        target = sa.make_url(f"sqlite:///file:{path}?mode=ro&uri=true")
    try:
        return drivers.create_engine(target, "the command line", **_connect_args(target))
    except ConfigError as exc:
        raise InspectError(exc.issues[0].reason if exc.issues else str(exc)) from None


def _connect_args(url: sa.URL) -> dict[str, Any]:
    args = drivers.connect_args(url)
    return {"connect_args": args} if args else {}


def _table(conn: sa.Connection, inspector, name: str, sample: int) -> TableReport:
    reflected = inspector.get_columns(name)
    pk = set((inspector.get_pk_constraint(name) or {}).get("constrained_columns") or [])
    table = sa.table(name, *(sa.column(c["name"]) for c in reflected))
    rows = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
    head = conn.execute(sa.select(table).limit(SAMPLE_ROWS)).fetchall()
    report = TableReport(name=name, rows=rows)
    for i, col in enumerate(reflected):
        values = [r[i] for r in head]
        guess = guess_column(col["name"], col["type"], values, primary_key=col["name"] in pk)
        distinct = list(dict.fromkeys(v for v in values if v is not None and v != ""))
        report.columns.append(
            ColumnReport(
                name=col["name"],
                type=str(col["type"]),
                nullable=bool(col.get("nullable", True)),
                primary_key=col["name"] in pk,
                samples=[mask(v, names=not guess.codes) for v in distinct[:sample]],
                guess=guess,
            )
        )
    return report


def _shown(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url.split("@")[-1]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
