"""Change markers and watermarks: reading a legacy change time, and remembering where a sync stopped.

A watermark is the (change marker, customer key) of the last row handed out,
and the next page asks for rows strictly after that pair in
(marker, key) order. Paging on the marker alone loses or repeats rows when
many share one change time (a bulk import stamps thousands with the same
second); adding the key makes the order total, so every row is handed out
exactly once however the page boundaries fall.

The marker is kept in the legacy system's own representation (the text
``20240323124000``, the integer ``1711222200``, a timestamp) so the comparison
happens in the legacy database, in its type, and can use its index. The
watermark is compact JSON with a type tag on the marker, e.g.
``["s:20240323124000","JN00000001"]``; the hall treats it as opaque text.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import re
from functools import lru_cache
from typing import Any, Callable

EPOCH_MIN, EPOCH_MAX = 0, 4102444800  # 1970 .. 2100: anything outside is not an epoch time
YEAR_MIN, YEAR_MAX = 1900, 2100  # a legacy time outside these years was read with the wrong format


class WatermarkError(ValueError):
    """A stored watermark does not fit this mapping (the mapping changed): run a full sync."""


_FIXED_WIDTH = {"%Y": 4, "%m": 2, "%d": 2, "%H": 2, "%M": 2, "%S": 2}
_FIELDS = ("%Y", "%m", "%d", "%H", "%M", "%S")
_DEFAULTS = {"%m": 1, "%d": 1}


@lru_cache(maxsize=64)
def _fixed_width(pattern: str):
    """A fast parser for ``pattern`` when it is only zero-padded numeric fields and literal characters -
    the common legacy shapes (``%Y%m%d%H%M%S``, ``%Y-%m-%d %H:%M:%S``) - else None.

    strptime costs ~6 µs a value; a regular expression and ``int`` ~1.5 µs, and call records
    arrive by the million. The parser returns None for text that does not fit the shape exactly,
    and the caller then asks strptime, so the outcome - value or ValueError - is always strptime's.
    """
    regex, order, i = "", [], 0
    while i < len(pattern):
        directive = pattern[i : i + 2]
        if pattern[i] == "%":
            if directive not in _FIXED_WIDTH or directive in order:
                return None
            regex += f"([0-9]{{{_FIXED_WIDTH[directive]}}})"
            order.append(directive)
            i += 2
        else:
            regex += re.escape(pattern[i])
            i += 1
    if "%Y" not in order:
        return None
    match = re.compile(regex + r"\Z").match
    slots = [order.index(d) if d in order else None for d in _FIELDS]
    if slots == list(range(len(order))):  # the fields in datetime's own order: no reshuffle

        def parse(text: str):
            found = match(text)
            return dt.datetime(*map(int, found.groups())) if found else None
    else:

        def parse(text: str):
            found = match(text)
            if not found:
                return None
            values = found.groups()
            return dt.datetime(
                *(int(values[k]) if k is not None else _DEFAULTS.get(d, 0) for k, d in zip(slots, _FIELDS))
            )

    return parse


def _parse_text(text: str, pattern: str) -> dt.datetime:
    """``strptime(text, pattern)``, by the fast parser when the pattern has one and the text fits it."""
    fast = _fixed_width(pattern)
    moment = fast(text) if fast is not None else None
    return moment if moment is not None else dt.datetime.strptime(text, pattern)


def time_parser(fmt: str, tz: dt.tzinfo) -> Callable[[Any], dt.datetime]:
    """``lambda raw: to_datetime(raw, fmt, tz)``, with the format looked at once (for pages of rows)."""
    fast = _fixed_width(fmt[5:]) if fmt.startswith("text:") else None
    if fast is None:
        return lambda raw: to_datetime(raw, fmt, tz)

    def parse(raw: Any) -> dt.datetime:
        if type(raw) is str:
            moment = fast(raw.strip())
            if moment is not None and YEAR_MIN <= moment.year <= YEAR_MAX:
                return moment.replace(tzinfo=tz)
        return to_datetime(raw, fmt, tz)

    return parse


def to_datetime(raw: Any, fmt: str, tz: dt.tzinfo) -> dt.datetime:
    """The aware datetime of a legacy change marker; ValueError when it does not parse as ``fmt``."""
    if raw is None or raw == "":
        raise ValueError("empty")
    if fmt in ("epoch", "epoch_ms"):
        if isinstance(raw, (dt.datetime, dt.date)) or isinstance(raw, str) and not raw.strip().lstrip("-").isdigit():
            raise ValueError("not a whole number of seconds")
        seconds = int(raw) / (1000 if fmt == "epoch_ms" else 1)
        if not EPOCH_MIN <= seconds <= EPOCH_MAX:
            raise ValueError("outside 1970-2100 as epoch " + ("milliseconds" if fmt == "epoch_ms" else "seconds"))
        return dt.datetime.fromtimestamp(seconds, dt.timezone.utc)
    if fmt.startswith("text:"):
        moment = _parse_text(str(raw).strip(), fmt[5:])
    elif isinstance(raw, dt.datetime):
        moment = raw
    elif isinstance(raw, dt.date):
        moment = dt.datetime.combine(raw, dt.time())
    elif isinstance(raw, str):
        moment = dt.datetime.fromisoformat(raw.strip())
    else:
        raise ValueError(f"not a timestamp ({type(raw).__name__})")
    if not YEAR_MIN <= moment.year <= YEAR_MAX:  # epoch seconds 1711897200 "parse" as %Y%m%d%H%M%S in the year 1711
        raise ValueError(f"year {moment.year} is outside {YEAR_MIN}-{YEAR_MAX}: is this the right format?")
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def _plain(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):  # Oracle NUMBER, PostgreSQL numeric
        return int(value) if value == value.to_integral_value() else str(value)
    return value


def _tag(marker: Any) -> str:
    marker = _plain(marker)
    if isinstance(marker, dt.datetime):
        return "d:" + marker.isoformat()
    if isinstance(marker, dt.date):
        return "D:" + marker.isoformat()
    if isinstance(marker, bool) or not isinstance(marker, (int, float, str)):
        raise TypeError(f"cannot use a {type(marker).__name__} as a change marker")
    return {int: "i:", float: "f:", str: "s:"}[type(marker)] + str(marker)


def _untag(text: str) -> Any:
    kind, _, value = text.partition(":")
    readers = {"d": dt.datetime.fromisoformat, "D": dt.date.fromisoformat, "i": int, "f": float, "s": str}
    return readers[kind](value)


def encode(marker: Any, key: tuple) -> str:
    """The watermark after the row with this marker and key."""
    return json.dumps([_tag(marker), *(_plain(k) for k in key)], ensure_ascii=False, separators=(",", ":"))


def decode(watermark: str, key_width: int) -> tuple[Any, tuple] | None:
    """(marker, key) from a watermark; None for "" (from the start); WatermarkError when it does not fit."""
    if not watermark:
        return None
    try:
        parts = json.loads(watermark)
        if not isinstance(parts, list) or len(parts) != 1 + key_width:
            raise ValueError(f"expected a marker and {key_width} key part(s)")
        return _untag(parts[0]), tuple(parts[1:])
    except (ValueError, KeyError, TypeError) as exc:
        raise WatermarkError(
            f"watermark {watermark!r} does not fit this connector mapping ({exc}); run a full sync"
        ) from None


def describe(watermark: str) -> str | None:
    """A watermark as staff read it: "2024-05 … 5074 · 2024-06 … 9899" for one per monthly call table, "5074" for
    one position; None when it is not one of this connector's forms (the caller then shows it shortened)."""
    try:
        parsed = json.loads(watermark)
    except ValueError:
        return None

    def position(value: Any) -> str:
        parts = json.loads(value) if isinstance(value, str) else value
        if not isinstance(parts, list) or not parts:
            raise ValueError("not a position")
        head = _untag(parts[0]) if isinstance(parts[0], str) and ":" in parts[0] else parts[0]
        return " / ".join(str(p) for p in (head, *parts[1:]))

    try:
        if isinstance(parsed, dict):
            return " · ".join(
                f"{month[:4]}-{month[4:]} … {position(value)}" if len(month) == 6 else f"{month} … {position(value)}"
                for month, value in sorted(parsed.items())
            )
        return position(parsed)
    except (ValueError, KeyError, TypeError):
        return None
