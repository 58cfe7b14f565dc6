"""``hall check``: converted samples that parse but cannot be right - a unit off by a power of ten, a month in 2090, names that are codes.

A format can be syntactically fine and still wrong for the data: items in li
read as fen sum to ten times their bill, a month read with the wrong pattern
lands decades away, a name column mapped onto the code column (or a code table
not looked up) shows customers ``YZF``. These checks look at the sample that
``hall check`` converts anyway (the first and last rows by change time), so
they cost no extra query. A pattern is reported when it holds for most of the
sample (one odd row is data, most rows are the mapping), once per mapping key,
naming the key, ``table.column`` and an example - and only when the same format
key has no value that fails to parse already (fix that first).
"""

from __future__ import annotations

import datetime as dt

from core.api import ConfigIssue
from plugins.sqlbss.sql_parts import describe

POWERS = (10, 100, 1000, 10000)
EARLIEST_YEAR = 1990
FUTURE_MONTHS = 13  # a bill for next month may exist; a year and more ahead is a wrong format
LONGEST_CALL_S = 24 * 3600
IMPOSSIBLE_CALL_S = 31 * 24 * 3600


def _most(found: int, of: int) -> bool:
    return of > 0 and found * 2 > of


def _power(part: int, whole: int) -> str | None:
    """``"10x"`` or ``"1/10"`` when ``part`` is ``whole`` times a power of ten (within 1%), else None."""
    if not part or not whole:
        return None
    for p in POWERS:
        for ratio, label in ((p, f"{p}x"), (1 / p, f"1/{p}")):
            if abs(part - whole * ratio) <= abs(whole * ratio) * 0.01:
                return label
    return None


def _month_index(moment: dt.date | dt.datetime) -> int:
    return moment.year * 12 + moment.month - 1


def _month_wrong(month: str, now: dt.datetime) -> bool:
    year, number = int(month[:4]), int(month[5:7])
    return year < EARLIEST_YEAR or year * 12 + number - 1 > _month_index(now) + FUTURE_MONTHS


def bill_problems(
    mapping, s, bills: list, file: str, reported: set[str] = frozenset(), now: dt.datetime | None = None
) -> list[ConfigIssue]:
    """Items that sum to a power of ten times their bill; months far off; item names that are their codes.

    ``reported``: mapping keys with a problem already (a value that does not parse): not looked at again.
    """
    now = now or dt.datetime.now(mapping.tz)
    good = [b for b in bills if not b.problem]
    issues = []
    money_keys = {"connector.bills.amount_format", "connector.bill_items.amount_format"}
    compared = [(b, sum(i.amount_fen for i in b.items)) for b in good if b.items and b.amount_fen]
    if money_keys & reported:
        compared = []
    off = [(b, total, _power(total, b.amount_fen)) for b, total in compared]
    off = [x for x in off if x[2]]
    if _most(len(off), len(compared)):
        bill, total, label = off[0]
        b, i = mapping.bills, mapping.bill_items
        issues.append(
            ConfigIssue(
                file,
                "connector.bill_items.amount_format",
                f"items sum to {label} the bill amount in {len(off)} of {len(compared)} sampled bills, e.g. bill "
                f"{bill.legacy_id!r}: {describe(s.item_cols['amount'])} sums to {total} fen, "
                f"{describe(s.cols['amount'])} is {bill.amount_fen} fen - is amount_format right "
                f"(bill_items {i.amount_format!r}, bills {b.amount_format!r})?",
            )
        )
    wrong = [
        b for b in good if b.month and _month_wrong(b.month, now) and "connector.bills.month_format" not in reported
    ]
    if _most(len(wrong), len(good)):
        issues.append(
            ConfigIssue(
                file,
                "connector.bills.month_format",
                f"{len(wrong)} of {len(good)} sampled bills fall in a month before {EARLIEST_YEAR} or over a year ahead, "
                f"e.g. {wrong[0].month} for bill {wrong[0].legacy_id!r} from {describe(s.cols['month'])}: "
                f"is month_format ({mapping.bills.month_format!r}) right?",
            )
        )
    names = mapping.bill_items.name_map if mapping.bill_items is not None else {}
    coded = [i for b in good for i in b.items if i.code]
    same = [i for i in coded if i.name.casefold() == i.code.casefold() and i.code.casefold() not in names]
    if _most(len(same), len(coded)):
        issues.append(
            ConfigIssue(
                file,
                "connector.bill_items.name",
                f"{len(same)} of {len(coded)} sampled items are named by their code, e.g. {same[0].name!r} in "
                f"{describe(s.item_cols['name'])}: look the name up in the code table "
                "(name = { lookup = ... }) or list it in name_map",
            )
        )
    return issues


def call_problems(
    t, calls: list, file: str, reported: set[str] = frozenset(), now: dt.datetime | None = None
) -> list[ConfigIssue]:
    """Durations no call lasts (milliseconds read as seconds), start times far off (``reported``: see bill_problems)."""
    good = [c for c in calls if not c.problem]
    issues = []
    long = [c for c in good if c.duration_s < 0 or c.duration_s > IMPOSSIBLE_CALL_S]
    if "connector.calls.duration" in reported:
        long, good_durations = [], []
    else:
        good_durations = [c for c in good if c.duration_s > LONGEST_CALL_S]
    if long or _most(len(good_durations), len(good)):
        example = long[0] if long else max(good, key=lambda c: c.duration_s)
        issues.append(
            ConfigIssue(
                file,
                "connector.calls.duration",
                f"call {example.legacy_id!r} lasts {example.duration_s} s ({example.duration_s / 3600:.0f} h) "
                f"in {describe(t.cols['duration'])}: is it in seconds (not milliseconds or minutes)?",
            )
        )
    now = now or dt.datetime.now(dt.timezone.utc)
    off = [c for c in good if c.started_at and _month_wrong(f"{c.started_at:%Y-%m}", now)]
    off = [] if "connector.calls.started_format" in reported else off
    if _most(len(off), len(good)):
        issues.append(
            ConfigIssue(
                file,
                "connector.calls.started_format",
                f"{len(off)} of {len(good)} sampled calls start before {EARLIEST_YEAR} or over a year ahead, "
                f"e.g. {off[0].started_at:%Y-%m-%d %H:%M} for call {off[0].legacy_id!r} from "
                f"{describe(t.cols['started'])}: is started_format right?",
            )
        )
    return issues


def named_by_code(pairs: list[tuple[str, str]], key: str, column, what: str, file: str) -> list[ConfigIssue]:
    """(name, code) pairs: a problem when most names are their code (a look-up or a column mapped wrongly)."""
    pairs = [(n, c) for n, c in pairs if c]
    same = [(n, c) for n, c in pairs if n.strip().casefold() == c.strip().casefold()]
    if not _most(len(same), len(pairs)):
        return []
    return [
        ConfigIssue(
            file,
            key,
            f"{len(same)} of {len(pairs)} sampled {what} are named by their code, e.g. {same[0][0]!r} in "
            f"{describe(column)}: is the name column right (or should it be looked up: {{ lookup = ... }})?",
        )
    ]
