"""Legacy bill and call rows -> the hall's records: money in integer fen, aware times, mapped codes.

A value that does not convert does not stop the sync: the record is handed
on with ``problem`` set - naming the tenant file, the mapping key, the table,
the column and the value - and the sync quarantines it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from core.api.legacy import LegacyBill, LegacyBillItem, LegacyCallRecord
from plugins.sqlbss import markers, money
from plugins.sqlbss.accounts import account_value
from plugins.sqlbss.sql_parts import describe
from plugins.sqlbss.mapping import code
from plugins.sqlbss.money import UNITS, to_fen

__all__ = ["UNITS", "Problem", "Reader", "bill", "call_converter", "to_fen"]


class Problem(Exception):
    """A value that does not convert: ``file``, mapping ``key`` and ``reason`` (which shows table, column and value)."""

    def __init__(self, file: str, key: str, reason: str):
        self.file, self.key, self.reason = file, key, reason
        super().__init__(f"{file}: {key}: {reason}")


class Reader:
    """Reads one mapped role from a row, converting it; raises :class:`Problem` with the full description."""

    def __init__(self, file: str, section: str, columns: dict[str, sa.ColumnElement], tz):
        self.file, self.section, self.columns, self.tz = file, section, columns, tz

    def fail(self, role: str, key: str, value: Any, fmt: str, exc: Exception) -> Problem:
        col = self.columns.get(role)
        where = describe(col) if col is not None else role
        return Problem(
            self.file,
            f"connector.{self.section}.{key}",
            f"value {value!r} in {where} does not parse as {fmt!r} ({exc})",
        )

    def money(self, row, role: str, fmt: str, key: str) -> int:
        value = getattr(row, role)
        try:
            return to_fen(value, fmt)
        except (ValueError, TypeError) as exc:
            raise self.fail(role, key, value, fmt, exc) from None

    def exact(self, row, role: str, fmt: str, key: str):
        """The exact amount in fen (a Decimal: li may leave a fraction), for apportioning a bill's items."""
        value = getattr(row, role)
        try:
            exact = money.exact_fen(value, fmt)
            money.to_fen(value, fmt)  # the same refusals as money(): fractions of a fen outside li
            return exact
        except (ValueError, TypeError) as exc:
            raise self.fail(role, key, value, fmt, exc) from None

    def time(self, row, role: str, fmt: str, key: str) -> dt.datetime:
        value = getattr(row, role)
        try:
            return markers.to_datetime(value, fmt, self.tz)
        except (ValueError, TypeError, OverflowError) as exc:
            raise self.fail(role, key, value, fmt, exc) from None


def text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def join_key(key: tuple, separator: str) -> str:
    return separator.join(text(k) for k in key)


def bill_status(m, amount: int, paid: int, raw: Any) -> str:
    if m.status:
        return m.status_map.get(code(raw), text(raw)) if text(raw) else "unpaid"
    return "paid" if paid >= amount else "partial" if paid > 0 else "unpaid"


def _item_amounts(reader: Reader, item_reader: Reader, m, items_map, row, items: list) -> tuple[int, list[int]]:
    """The bill's amount and its items' in fen. With li, each is rounded half to even; items that add up to the
    bill in li are apportioned so that they add up to its rounded amount in fen too (money.py)."""
    li = "li" in (money.unit_and_kind(m.amount_format)[0], money.unit_and_kind(items_map.amount_format)[0])
    if not li or not items:
        amount = reader.money(row, "amount", m.amount_format, "amount_format")
        return amount, [item_reader.money(i, "amount", items_map.amount_format, "amount_format") for i in items]
    exact = reader.exact(row, "amount", m.amount_format, "amount_format")
    parts = [item_reader.exact(i, "amount", items_map.amount_format, "amount_format") for i in items]
    amount = money.round_fen(exact)
    if sum(parts) == exact:
        return amount, money.apportion(parts, amount)
    return amount, [money.round_fen(p) for p in parts]


def bill(
    m, reader: Reader, item_reader: Reader | None, items_map, row, items: list, legacy_id: str, separator: str = "-"
) -> LegacyBill:
    """One bill; ``separator`` joins a composite ``bills.account`` (accounts.account_separator)."""
    number = text(getattr(row, "number", None))
    account = account_value(row, len(m.account or ()), separator) if m.account else ""
    try:
        if items_map is not None:
            amount, item_fen = _item_amounts(reader, item_reader, m, items_map, row, items)
        else:
            amount, item_fen = reader.money(row, "amount", m.amount_format, "amount_format"), []
        paid = reader.money(row, "paid", m.paid_format or m.amount_format, "paid_format") if m.paid else 0
        month = reader.time(row, "month", m.month_format, "month_format").astimezone(reader.tz)
        due = (
            reader.time(row, "due", m.due_format, "due_format").astimezone(reader.tz).date()
            if m.due and row.due not in (None, "")
            else None
        )
        changed = reader.time(row, "changed", m.changed_format, "changed_format")
        parsed = tuple(
            LegacyBillItem(text(getattr(i, "code", "")), text(i.name), fen, number=text(getattr(i, "number", None)))
            for i, fen in zip(items, item_fen)
        )
    except Problem as exc:
        return LegacyBill(legacy_id, number, "", 0, problem=str(exc), account=account)
    status = bill_status(m, amount, paid, getattr(row, "status", None))
    if not m.paid and status == "paid":
        paid = amount
    month_text = f"{month:%Y-%m}"
    return LegacyBill(legacy_id, number, month_text, amount, paid, status, due, changed, parsed, account=account)


def call_converter(m, reader: Reader):
    """A converter for the rows of one call table, with the mapping looked up once, not per row.

    Rows are ``(k0, <mapped roles in reader.columns order>)``; values are taken by
    position (a named attribute of an SQLAlchemy row costs ~0.35 µs, a position
    ~0.04 µs). Call records come by the million, so the common cases take short
    cuts that give the same result as the general path: an integer charge in an
    integer-unit format, an integer duration, a call-type code seen before.
    """
    unit = UNITS.get(m.charge_format)
    types: dict = {}
    parse_started = markers.time_parser(m.started_format, reader.tz)
    at = {role: i + 1 for i, role in enumerate(reader.columns)}
    i_number, i_started, i_duration, i_type, i_charge = (
        at[r] for r in ("number", "started", "duration", "call_type", "charge")
    )
    i_called = at.get("called")

    def convert(row, legacy_id: str) -> LegacyCallRecord:
        try:
            raw = row[i_started]
            try:
                started = parse_started(raw)
            except (ValueError, TypeError, OverflowError) as exc:
                raise reader.fail("started", "started_format", raw, m.started_format, exc) from None
            raw = row[i_charge]
            charge = (
                raw * unit
                if unit and type(raw) is int
                else reader.money(row, "charge", m.charge_format, "charge_format")
            )
            duration = row[i_duration]
            if type(duration) is not int:
                try:
                    duration = to_fen(duration, "fen_int")  # a whole number, whatever its unit
                except ValueError as exc:
                    raise reader.fail("duration", "duration", duration, "whole seconds", exc) from None
        except Problem as exc:
            return LegacyCallRecord(legacy_id, text(row[i_number]), None, 0, "", "", 0, problem=str(exc))
        raw = row[i_type]
        try:
            call_type = types[raw]
        except (KeyError, TypeError):
            call_type = m.call_type_map.get(code(raw), text(raw))  # unmapped: passed on as written, rejected by name
            try:
                types[raw] = call_type
            except TypeError:  # an unhashable legacy value: no memo
                pass
        number = row[i_number]
        called = row[i_called] if i_called else ""
        return LegacyCallRecord(
            legacy_id,
            number.strip() if type(number) is str else text(number),
            started,
            duration,
            called.strip() if type(called) is str else text(called),
            call_type,
            charge,
        )

    return convert
