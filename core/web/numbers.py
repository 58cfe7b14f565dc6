"""Whole numbers typed by people or put in URLs: the one parser every page uses.

``str.isdigit()`` is true for "²" (then ``int()`` fails: a 500) and ``int()`` takes
"١٢", " 12", "1_0" and numbers past any column's range (SQLite and PostgreSQL then
fail: a 500). Here only ASCII digits count, and the value must lie in a range
that fits the column it is meant for; anything else is ``None`` (the caller shows
a field error) or :class:`BadNumber` (a 400 page with a translated message).
"""

from __future__ import annotations

import re

from litestar.exceptions import ClientException

from core.i18n import N_

INT_MAX = 2**31 - 1  # PostgreSQL ``integer``/``serial``: the narrowest integer column ids and counts live in
_DIGITS = re.compile(r"-?[0-9]{1,19}")
OUT_OF_RANGE = N_("“%(name)s” must be a whole number from %(low)s to %(high)s.")


def parse_int(text: object, *, low: int = 1, high: int = INT_MAX) -> int | None:
    """ASCII digits (and a leading minus) within ``low..high``, else None."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    if not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if low <= value <= high else None


def parse_ints(values: list, *, low: int = 1, high: int = INT_MAX, limit: int = 1000) -> set[int] | None:
    """Many (checkboxes with one name): the set, or None when any of them is not a number in range."""
    out: set[int] = set()
    for value in values[:limit]:
        number = parse_int(value, low=low, high=high)
        if number is None:
            return None
        out.add(number)
    return out


class BadNumber(ClientException):
    """A query parameter that should be a number and is not: a 400 with a message in the visitor's language."""

    def __init__(self, name: str, low: int, high: int):
        super().__init__(detail=OUT_OF_RANGE)
        self.params = {"name": name, "low": low, "high": high}


def query_int(request, name: str, *, default: int, low: int = 1, high: int = INT_MAX) -> int:
    """``?name=`` as a number: ``default`` when absent or empty, :class:`BadNumber` when it is not one in range."""
    raw = request.query_params.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = parse_int(raw, low=low, high=high)
    if value is None:
        raise BadNumber(name, low, high)
    return value


def path_ints_in_range(path_params: dict) -> bool:
    """Path parameters declared ``{x:int}`` arrive as Python ints of any size: only ids a column can hold are real."""
    return all(1 <= v <= INT_MAX for v in path_params.values() if isinstance(v, int) and not isinstance(v, bool))
