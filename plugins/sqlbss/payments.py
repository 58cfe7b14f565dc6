"""The ``payment_records`` port of the sqlbss connector (a mixin): the BSS's payments table, read for reconciliation.

``payments_between(start, end, after, limit)`` reads the rows paid in
``[start, end)`` in (paid_at, key) order, a page at a time: ``after`` is the
(paid_at, key) of the previous page's last row, kept in the legacy system's
own representation (as the sync's watermarks, :mod:`plugins.sqlbss.markers`)
so the comparison runs in the legacy database, in its type, on its index.
A text ``paid_at`` must therefore sort as time (the mapping checks the
format). A row whose values do not convert is handed on with ``problem`` set,
naming key, table, column and value.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from core.api import ConfigError, ConfigIssue
from core.api.legacy import LegacyPayment, PaymentRecordPage
from plugins.sqlbss import markers
from plugins.sqlbss.billing_convert import join_key, text
from plugins.sqlbss.check import _codes, _where
from plugins.sqlbss.check_keys import duplicated_key
from plugins.sqlbss.frames import Frame, SectionResolver
from plugins.sqlbss.legacy_db import _Resolver
from plugins.sqlbss.mapping import code
from plugins.sqlbss.changes import after as after_condition
from plugins.sqlbss.writeback_money import to_fen
from plugins.sqlbss.writeback_values import legacy_time

ROLES = ("account", "number", "amount", "paid_at", "month", "channel", "reference")
SAMPLE = 20
HALL_ID_LENGTH = 30  # pi/rf + 28 hex digits (core.payments.bss_reconcile.HALL_ID)


@dataclass(frozen=True)
class PaymentSchema:
    cols: dict[str, sa.ColumnElement]
    key: tuple[sa.ColumnElement, ...]
    frame: Frame  # the payments table (or query) and its row filter (where / where_not)
    types: dict[str, Any]  # role -> the column's reflected type


def resolve_payments(conn: sa.Connection, m, file: str) -> tuple[PaymentSchema | None, list[ConfigIssue]]:
    p = m.payment_records
    r = _Resolver(conn, file)
    sec = SectionResolver(r, "payment_records", p)
    key = sec.columns("key", p.key)
    cols = {role: sec.column(role, getattr(p, role)) for role in ROLES if getattr(p, role) is not None}
    frame = sec.frame()
    if r.issues:
        return None, r.issues
    return PaymentSchema(cols, key, frame, sec.types), []


class _Bad(ValueError):
    pass


class PaymentsPort:
    _payment_schema: PaymentSchema | None = None

    def _payments_resolved(self, conn: sa.Connection) -> PaymentSchema:
        with self._lock:
            if self._payment_schema is None:
                schema, issues = resolve_payments(conn, self.mapping, self.tenant_file)
                if issues:
                    raise ConfigError(issues)
                self._payment_schema = schema
            return self._payment_schema

    @staticmethod
    def _query(s: PaymentSchema) -> sa.Select:
        keys = (c.label(f"k{i}") for i, c in enumerate(s.key))
        return s.frame.select(*keys, *(c.label(r) for r, c in s.cols.items()))

    def _convert(self, s: PaymentSchema, row) -> LegacyPayment:
        p, tz = self.mapping.payment_records, self.mapping.tz
        legacy_id = join_key(tuple(getattr(row, f"k{i}") for i in range(len(s.key))), p.key_separator)

        def read(role: str, fmt: str, convert) -> Any:
            value = getattr(row, role)
            try:
                return convert(value, fmt)
            except (ValueError, TypeError, OverflowError) as exc:
                col = s.cols[role]
                raise _Bad(
                    f"{self.tenant_file}: connector.payment_records.{role}_format: value {value!r} in "
                    f"{col.table.name}.{col.name} does not parse as {fmt!r} ({exc})"
                ) from None

        try:
            amount = read("amount", p.amount_format, to_fen)
            paid_at = read("paid_at", p.paid_at_format, lambda v, f: markers.to_datetime(v, f, tz))
            month = ""
            if p.month and text(row.month):
                month = (
                    f"{read('month', p.month_format, lambda v, f: markers.to_datetime(v, f, tz)).astimezone(tz):%Y-%m}"
                )
        except _Bad as exc:
            return LegacyPayment(legacy_id, text(row.account), "", 0, None, problem=str(exc))
        channel = text(getattr(row, "channel", ""))
        return LegacyPayment(
            legacy_id,
            text(row.account),
            text(getattr(row, "number", "")),
            amount,
            paid_at,
            month,
            p.channel_map.get(code(channel), channel) if channel else "",
            text(getattr(row, "reference", "")),
        )

    async def payments_between(
        self, start: dt.datetime, end: dt.datetime, after: str = "", limit: int = 500
    ) -> PaymentRecordPage:
        """Payments with ``start <= paid_at < end`` in (paid_at, key) order, after the position ``after``."""
        p = self.mapping.payment_records
        position = markers.decode(after, len(p.key))
        low, high = (legacy_time(t, p.paid_at_format, self.mapping.tz) for t in (start, end))

        def work(conn: sa.Connection) -> PaymentRecordPage:
            s = self._payments_resolved(conn)
            paid = s.cols["paid_at"]
            query = self._query(s).where(paid.is_not(None), paid >= low, paid < high)
            if position is not None:
                marker, key = position
                query = query.where(after_condition((paid, *s.key), (marker, *key)))
            rows = conn.execute(query.order_by(paid, *s.key).limit(limit)).all()
            payments = [self._convert(s, r) for r in rows]
            if len(rows) < limit:
                return PaymentRecordPage(payments, "")
            last = rows[-1]
            return PaymentRecordPage(
                payments, markers.encode(last.paid_at, tuple(getattr(last, f"k{i}") for i in range(len(s.key))))
            )

        return await self._run(work)

    def _payment_problems(self, conn: sa.Connection) -> list[ConfigIssue]:
        """``hall check``: names, values of the first and last rows that do not convert, channel codes, repeated keys."""
        p, file = self.mapping.payment_records, self.tenant_file
        s, issues = resolve_payments(conn, self.mapping, file)
        if s is None:
            return issues
        paid = s.cols["paid_at"]
        base = self._query(s).where(paid.is_not(None))
        rows = [
            *conn.execute(base.order_by(paid).limit(SAMPLE)),
            *conn.execute(base.order_by(paid.desc()).limit(SAMPLE)),
        ]
        seen: dict[str, ConfigIssue] = {}
        for payment in (self._convert(s, r) for r in rows):
            if payment.problem:
                key, _, reason = payment.problem.removeprefix(file + ": ").partition(": ")
                seen.setdefault(key, ConfigIssue(file, key, reason))
        issues += list(seen.values())
        reference = s.cols.get("reference")
        length = getattr(s.types.get("reference"), "length", None)
        if length is not None and length < HALL_ID_LENGTH:
            issues.append(
                ConfigIssue(
                    file,
                    "connector.payment_records.reference",
                    f"{_where(reference)} holds {length} characters; "
                    f"the hall's payment and refund ids have {HALL_ID_LENGTH}",
                )
            )
        if p.channel and p.channel_map:
            issues += _codes(
                conn, s.cols["channel"], p.channel_map, "connector.payment_records.channel_map", file, s.frame
            )
        issues += duplicated_key(conn, s.key, "connector.payment_records.key", file, p.key_separator, s.frame)
        return issues

    def _more_problems(self, conn: sa.Connection) -> list[ConfigIssue]:
        return super()._more_problems(conn) + self._payment_problems(conn)
