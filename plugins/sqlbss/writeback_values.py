"""The rows one outbox event becomes under a target mapping: every column's value, computed from the event.

Pure functions of (event, mapping, the connector's time zone, the moment of
writing) except for ``lookup`` values, which ask the legacy database through
the callback the writer passes in. Everything but ``event.at`` is
deterministic, so a retry computes the same rows - the same serial numbers -
and finds them already there.

A value that cannot be computed (a missing field, a code with no map entry,
an amount the column's unit cannot hold) raises :class:`ValueError` naming
the mapping key: the event fails with that reason, is retried, and ends dead
in the outbox console if it never fits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from typing import Any, Callable

from plugins.sqlbss.writeback_money import from_fen
from plugins.sqlbss.writeback_targets import SERIAL_PART, TEXT_PART, ColumnValue, EventTarget

MISSING = object()
Lookup = Callable[[ColumnValue, Any], Any]  # (the column's lookup spec, the value) -> the value found, or MISSING


@dataclass(frozen=True)
class Event:
    event_id: str
    kind: str
    payload: dict
    at: dt.datetime  # when the hall writes it (event.at)


@dataclass(frozen=True)
class Element:
    """One row's sources: the event and, with ``for_each``, one element of the list (``index`` counts from 1)."""

    event: Event
    item: Any = MISSING
    index: int = 1


def _dig(value: Any, parts: list[str]) -> Any:
    for part in parts:
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return MISSING
    return value


def get(source: Element, path: str) -> Any:
    """The value at a path (see :mod:`plugins.sqlbss.writeback_targets`), or MISSING."""
    head, _, rest = path.partition(".")
    if head == "event":
        e = source.event
        return {"id": e.event_id, "kind": e.kind, "index": source.index, "at": e.at}[rest]
    if head == "item":
        return _dig(source.item, rest.split(".")) if rest else source.item
    return _dig(source.event.payload, rest.split("."))


def _matches(actual: Any, wanted: Any) -> bool:
    options = wanted if isinstance(wanted, list) else [wanted]
    return actual is not MISSING and any(str(actual) == str(w) for w in options)


def takes(target: EventTarget, event: Event) -> bool:
    """Whether ``target``'s ``when`` (its conditions on the event, not on items) lets the event in."""
    return all(_matches(get(Element(event), p), w) for p, w in target.when.items() if not p.startswith("item"))


def elements(target: EventTarget, event: Event) -> list[Element]:
    """The rows' sources for ``target``: [] when its ``when`` leaves the event out; one per kept element."""
    if not takes(target, event):
        return []
    if target.for_each is None:
        return [Element(event)]
    items = get(Element(event), target.for_each)
    if not isinstance(items, list):
        raise ValueError(f"connector.{target.label}.for_each: {target.for_each} is not a list in this event")
    per_item = {p: w for p, w in target.when.items() if p.startswith("item")}
    found = [Element(event, item, i) for i, item in enumerate(items, 1)]
    return [e for e in found if all(_matches(get(e, p), w) for p, w in per_item.items())]


def moment(value: Any, tz: dt.tzinfo) -> dt.datetime:
    """A time from the payload: an ISO date-time (naive = the connector's zone), a date, or a month ``YYYY-MM``."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    text = str(value).strip()
    if re.match(r"^\d{4}-\d{2}$", text):
        text += "-01"
    parsed = dt.datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def hash_digits(event_id: str, index: int, digits: int) -> str:
    """``digits`` decimal digits from the event id and the element: the same on every retry."""
    number = int.from_bytes(hashlib.sha256(f"{event_id}:{index}".encode()).digest(), "big")
    return str(number % 10**digits).zfill(digits)


def serial(template: str, source: Element, date: dt.datetime | None) -> str:
    def part(m: re.Match) -> str:
        kind, arg = m.group(1), m.group(2)
        if kind == "date":
            return date.strftime(arg)
        if kind == "hash":
            return hash_digits(source.event.event_id, source.index, int(arg))
        if source.index >= 10 ** int(arg):
            raise ValueError(f"element {source.index} does not fit {{index:{arg}}}")
        return str(source.index).zfill(int(arg))

    return SERIAL_PART.sub(part, template)


def _code(value: Any) -> str:
    return str(value).strip().casefold()


def legacy_time(moment: dt.datetime, fmt: str, tz: dt.tzinfo) -> Any:
    """``moment`` in the legacy system's representation (the inverse of markers.to_datetime)."""
    if fmt == "epoch":
        return int(moment.timestamp())
    if fmt == "epoch_ms":
        return int(moment.timestamp() * 1000)
    local = moment.astimezone(tz).replace(tzinfo=None)  # the BSS writes local times without a zone
    return local.strftime(fmt[5:]) if fmt.startswith("text:") else local


def column_value(spec: ColumnValue, source: Element, tz: dt.tzinfo, lookup: Lookup, key: str) -> Any:
    """The value of one column for one row; ValueError naming ``key`` (the mapping key) when there is none."""
    kind = spec.source

    def need(path: str) -> Any:
        value = get(source, path)
        if value is MISSING or value is None:
            raise ValueError(f"{key}: the event has no {path}")
        return value

    if kind == "value":
        return spec.value
    if kind == "serial":
        date = moment(need(spec.date), tz).astimezone(tz) if spec.date else None
        return serial(spec.serial, source, date)
    if kind == "text":
        return TEXT_PART.sub(lambda m: str(need(m.group(1))), spec.text)
    if kind == "money":
        fen = need(spec.money)
        if isinstance(fen, bool) or not isinstance(fen, int):
            raise ValueError(f"{key}: {spec.money} is {fen!r}, not a whole number of fen")
        try:
            return from_fen(-fen if spec.negate else fen, spec.format)
        except ValueError as exc:
            raise ValueError(f"{key}: {exc}") from None
    if kind == "time":
        try:
            return legacy_time(moment(need(spec.time), tz), spec.format or "native", tz)
        except (ValueError, TypeError, OverflowError) as exc:
            raise ValueError(f"{key}: {spec.time} does not read as a time ({exc})") from None
    path = spec.field if kind == "field" else spec.lookup
    value = get(source, path)
    if kind == "lookup" and value not in (MISSING, None, ""):
        value = lookup(spec, value)
    if value in (MISSING, None, ""):
        if "default" in spec.model_fields_set:
            return spec.default
        found = "found nothing" if kind == "lookup" and get(source, path) not in (MISSING, None, "") else "is missing"
        raise ValueError(f"{key}: {path} {found}" + (f" in {spec.table}.{spec.match}" if kind == "lookup" else ""))
    if spec.map:
        if _code(value) in spec.map:
            return spec.map[_code(value)]
        if "default" in spec.model_fields_set:
            return spec.default
        raise ValueError(f"{key}: {value!r} has no entry in map (and there is no default)")
    return value


def rows(target: EventTarget, event: Event, tz: dt.tzinfo, lookup: Lookup) -> list[dict[str, Any]]:
    """The rows ``event`` becomes in ``target``'s table: {mapped column name: value}, in element order."""
    return [
        {col: column_value(spec, e, tz, lookup, target.column_key(col)) for col, spec in target.columns.items()}
        for e in elements(target, event)
    ]
