"""The tariff catalog port of the sqlbss connector (a mixin): ``tariffs()`` from ``[connector.catalog]``.

The whole tariff table is read in one query, ordered by code (a BSS has tens
or hundreds of tariffs; the core caches the answer for ten minutes). Prices go
through :mod:`plugins.sqlbss.money`, so the hall holds integer fen whatever
the BSS keeps (yuan text, li). A row whose price does not convert comes back
with ``problem`` set, naming the tenant file, the key, the table and the value;
the core leaves it out of the catalog and ``hall check`` reports it.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from core.api import ConfigError, ConfigIssue
from core.api.products import LegacyTariff
from plugins.sqlbss import billing_convert as convert
from plugins.sqlbss.catalog_mapping import PRICES
from plugins.sqlbss.check import _codes, lookup_problems
from plugins.sqlbss.check_keys import duplicated_key
from plugins.sqlbss.frames import Frame, SectionResolver
from plugins.sqlbss.legacy_db import _Resolver
from plugins.sqlbss.lines import as_issue
from plugins.sqlbss.mapping import code

ROLES = ("code", "name", *PRICES, "kind", "sold")


@dataclass(frozen=True)
class CatalogSchema:
    frame: Frame
    cols: dict[str, sa.ColumnElement]  # role -> its SQL over the tariff section


def resolve_catalog(conn: sa.Connection, mapping, file: str) -> tuple[CatalogSchema | None, list[ConfigIssue]]:
    """Names of ``[connector.catalog]`` against the live schema; unknown ones are issues under ``connector.catalog.*``."""
    r = _Resolver(conn, file)
    c = mapping.catalog
    cs = SectionResolver(r, "catalog", c)
    cols = {role: cs.column(role, getattr(c, role)) for role in ROLES if getattr(c, role) is not None}
    frame = cs.frame()
    if r.issues:
        return None, r.issues
    return CatalogSchema(frame, cols), []


def catalog_select(s: CatalogSchema) -> sa.Select:
    return s.frame.select(*(c.label(role) for role, c in s.cols.items())).order_by(s.cols["code"])


class TariffConverter:
    """Rows of :func:`catalog_select` -> :class:`LegacyTariff` (None: ``kind_map`` says ``other``, not a line's)."""

    def __init__(self, mapping, s: CatalogSchema, file: str):
        self.c = mapping.catalog
        self.reader = convert.Reader(file, "catalog", s.cols, mapping.tz)

    def __call__(self, row) -> LegacyTariff | None:
        c, text = self.c, convert.text
        kind = ""
        if c.kind and text(row.kind):
            kind = c.kind_map.get(code(row.kind), "")
            if kind == "other":
                return None
        sold = c.sold_map.get(code(row.sold), True) if c.sold and text(row.sold) else True
        tariff = LegacyTariff(text(row.code), text(row.name), number_kind=kind, sold=sold)
        prices = {}
        try:
            for role in PRICES:
                raw = getattr(row, role, None)
                fmt = getattr(c, f"{role}_format")
                prices[role] = self.reader.money(row, role, fmt, f"{role}_format") if text(raw) else 0
        except convert.Problem as exc:
            return LegacyTariff(tariff.code, tariff.name, number_kind=kind, sold=sold, problem=str(exc))
        return LegacyTariff(
            tariff.code,
            tariff.name,
            prices["monthly_fee"],
            kind,
            one_off_fen=prices["one_off_fee"],
            deposit_fen=prices["deposit"],
            min_spend_fen=prices["min_spend"],
            sold=sold,
        )


class CatalogPort:
    _catalog_schema: CatalogSchema | None = None

    def _catalog_resolved(self, conn: sa.Connection) -> CatalogSchema:
        with self._lock:
            if self._catalog_schema is None:
                schema, issues = resolve_catalog(conn, self.mapping, self.tenant_file)
                if issues:
                    raise ConfigError(issues)
                self._catalog_schema = schema
            return self._catalog_schema

    async def tariffs(self) -> list[LegacyTariff]:
        def work(conn: sa.Connection) -> list[LegacyTariff]:
            s = self._catalog_resolved(conn)
            convert_row = TariffConverter(self.mapping, s, self.tenant_file)
            return [t for t in map(convert_row, conn.execute(catalog_select(s))) if t is not None]

        return await self._run(work)

    def _catalog_problems(self, conn: sa.Connection) -> list[ConfigIssue]:
        """``hall check``: the names, every row's prices (a catalog is small), unmapped codes, a code twice."""
        s, issues = resolve_catalog(conn, self.mapping, self.tenant_file)
        if s is None:
            return issues
        c, file = self.mapping.catalog, self.tenant_file
        convert_row = TariffConverter(self.mapping, s, file)
        bad = next((t.problem for t in map(convert_row, conn.execute(catalog_select(s))) if t and t.problem), None)
        if bad:
            issues.append(as_issue(file, bad))
        if c.kind:
            issues += _codes(conn, s.cols["kind"], c.kind_map, "connector.catalog.kind_map", file, s.frame)
        if c.sold:
            issues += _codes(conn, s.cols["sold"], c.sold_map, "connector.catalog.sold_map", file, s.frame)
        issues += duplicated_key(conn, (s.cols["code"],), "connector.catalog.code", file, frame=s.frame)
        return issues + lookup_problems(conn, (s.frame,), file)

    def _more_problems(self, conn: sa.Connection) -> list[ConfigIssue]:
        return super()._more_problems(conn) + self._catalog_problems(conn)
