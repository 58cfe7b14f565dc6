"""``[connector.bills]``, ``[connector.bill_items]`` and ``[connector.calls]``: bills and call records, mapped.

Money formats (``amount_format``, ``charge_format``) are ``<unit>_<kind>``
(:mod:`plugins.sqlbss.money`): ``li``, ``fen``, ``jiao`` or ``yuan`` as
``int``, ``decimal`` or ``text`` - ``fen_int``, ``li_int``, ``yuan_text`` ...;
``yuan`` alone is ``yuan_decimal``. Time formats are the customers'
change-time formats (``native``, ``epoch``, ``epoch_ms``, ``text:<strftime>``).
Call records may live in one table (``table``) or one table per month
(``table_pattern = "HD_{yyyymm}"``, or with the year and month apart:
``"CDR_{yyyy}_{mm}"``, ``"TG_CDR_{yy}{mm}"``, where ``{yy}`` is a year of this
century); then ``months`` says how many of the latest monthly tables the sync
reads.

Imported by :mod:`plugins.sqlbss.mapping` part-way (after its base classes exist).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from core.api import LANGUAGES
from plugins.sqlbss.mapping import TABLE, Column, Columns, Source, code
from plugins.sqlbss.money import MoneyFormat

BillStatus = Literal["unpaid", "partial", "paid"]
CallType = Literal["local", "long_distance", "international", "roaming", "data", "sms"]
TIME_HELP = "native (a timestamp/date column), epoch (seconds), epoch_ms, or text:<strftime format>."


def time_format(value: str) -> str:
    if value in ("native", "epoch", "epoch_ms") or (value.startswith("text:") and "%" in value):
        return value
    raise ValueError("must be native, epoch, epoch_ms or text:<strftime format> such as text:%Y%m%d%H%M%S")


def _col(description: str = ""):
    return Field(description=description)


def _opt(description: str = ""):
    return Field(None, description=description)


class BillsMap(Source):
    key: Columns = Field(description="Column(s) identifying a bill; several are joined with key_separator.")
    key_separator: str = Field("-", max_length=3)
    number: Column | None = _opt("The service number billed; optional when account is set (bills of a whole account).")
    account: Columns | None = Field(
        None, description="Column(s) naming the billed account, in the order of accounts.key (accounts_mapping.py)."
    )
    month: Column = _col("Billing month column.")
    month_format: str = Field("text:%Y%m", description="How the month is written: " + TIME_HELP)
    amount: Column = _col("Amount due.")
    amount_format: MoneyFormat = "fen_int"
    paid: Column | None = _opt("Amount paid so far; omitted means 0 (or all, for status paid).")
    paid_format: MoneyFormat | None = Field(None, description="Defaults to amount_format.")
    status: Column | None = _opt("Payment status column; omitted means derived from amount and paid.")
    status_map: dict[str, BillStatus] = Field(default_factory=dict, description="Legacy code -> unpaid|partial|paid.")
    due: Column | None = _opt("Due date column.")
    due_format: str = Field("native", description=TIME_HELP)
    changed: Column = _col("Change-time column that drives incremental sync.")
    changed_format: str = Field("native", description=TIME_HELP)

    _codes = field_validator("status_map")(classmethod(lambda cls, v: {code(k): x for k, x in v.items()}))
    _times = field_validator("month_format", "due_format", "changed_format")(classmethod(lambda cls, v: time_format(v)))


def _languages(name: str | dict[str, str]) -> str | dict[str, str]:
    """A name per language, its keys spelled as the hall's languages (Dynaconf lower-cases table keys: zh_cn)."""
    if isinstance(name, str):
        return name
    known = {lang.casefold(): lang for lang in LANGUAGES}
    unknown = [k for k in name if k.casefold() not in known]
    if unknown:
        raise ValueError(f"unknown language(s) {', '.join(unknown)}: use {' or '.join(LANGUAGES)}")
    return {known[k.casefold()]: text for k, text in name.items()}


class BillItemsMap(Source):
    bill_key: Columns = Field(description="Column(s) pointing at the bill, in the order of bills.key.")
    code: Column | None = _opt("Item code column.")
    name: Column = _col("Item name column.")
    amount: Column = _col("Item amount column.")
    amount_format: MoneyFormat = "fen_int"
    order: Column | None = _opt("Column giving the items' order on the bill; omitted means by code, then name.")
    number: Column | None = _opt("The service number a charge is for (a combined bill's share per line).")
    changed: Column | None = _opt(
        "The items' own change time (as bills.changed_format): a bill changes with its items."
    )
    name_map: dict[str, str | dict[str, str]] = Field(
        default_factory=dict,
        description='Item code -> the name customers read instead of the legacy one: a plain string (every language) or one per language, e.g. YZF = {zh_CN = "月租费", en = "Monthly fee"}. Codes without an entry keep the legacy name.',
    )

    _names = field_validator("name_map")(classmethod(lambda cls, v: {code(k): _languages(x) for k, x in v.items()}))


class CallsMap(Source):
    table_pattern: str | None = Field(
        None,
        description='One table per month: "HD_{yyyymm}" (HD_202403, ...), "CDR_{yyyy}_{mm}" or "TG_CDR_{yy}{mm}".',
    )
    months: int = Field(
        12,
        ge=1,
        le=120,
        description="With table_pattern: how many of the latest monthly tables the sync reads (older ones drop out).",
    )
    key: Column = _col("Row key; with no `changed` column it must only increase (a sequence).")
    changed: Column | None = _opt("Change-time column; omitted means the increasing key alone is the watermark.")
    changed_format: str = Field("native", description=TIME_HELP)
    number: Column = _col("Calling service number.")
    started: Column = _col("Start time.")
    started_format: str = Field("native", description=TIME_HELP)
    duration: Column = _col("Duration in seconds.")
    called: Column | None = _opt("Called number.")
    call_type: Column = _col("Call type column.")
    call_type_map: dict[str, CallType] = Field(
        default_factory=dict, description="Legacy code -> local|long_distance|international|roaming|data|sms."
    )
    charge: Column = _col("Charge column.")
    charge_format: MoneyFormat = "fen_int"

    _codes = field_validator("call_type_map")(classmethod(lambda cls, v: {code(k): x for k, x in v.items()}))
    _times = field_validator("changed_format", "started_format")(classmethod(lambda cls, v: time_format(v)))

    @field_validator("table_pattern")
    @classmethod
    def _pattern(cls, value: str | None) -> str | None:
        if value is not None and (
            _month_form(value) is None or not re.match(TABLE, re.sub(r"\{(?:yyyymm|yyyy|yy|mm)\}", "0", value))
        ):
            raise ValueError(
                "must be a table name with {yyyymm} once, or {yyyy} (or {yy}) and {mm} once each, "
                'such as "HD_{yyyymm}", "CDR_{yyyy}_{mm}" or "TG_CDR_{yy}{mm}"'
            )
        return value

    def month_regex(self) -> re.Pattern:
        """Matches the monthly tables' names (case-insensitively); groups ``y`` (2 or 4 digits) and ``m``."""
        parts = re.split(r"(\{yyyymm\}|\{yyyy\}|\{yy\}|\{mm\})", self.table_pattern or "")
        regex = "".join(PLACEHOLDERS.get(part, re.escape(part)) for part in parts)
        return re.compile(f"^{regex}$", re.IGNORECASE)

    def table_month(self, name: str) -> str | None:
        """The month (``"202404"``) of a monthly table's name, or None when the name does not match the pattern."""
        found = self.month_regex().match(name)
        if found is None:
            return None
        year = found.group("y")
        return ("20" + year if len(year) == 2 else year) + found.group("m")


MONTH = "(?P<m>0[1-9]|1[0-2])"
PLACEHOLDERS = {
    "{yyyymm}": f"(?P<y>\\d{{4}}){MONTH}",
    "{yyyy}": "(?P<y>\\d{4})",
    "{yy}": "(?P<y>\\d{2})",
    "{mm}": MONTH,
}


def _month_form(pattern: str) -> str | None:
    """Which placeholders a table pattern uses (yyyymm, yyyy+mm or yy+mm, each once), or None when it is none of them."""
    counts = {p: len(re.findall(re.escape(p), pattern)) for p in PLACEHOLDERS}
    if counts == {"{yyyymm}": 1, "{yyyy}": 0, "{yy}": 0, "{mm}": 0}:
        return "yyyymm"
    if counts["{yyyymm}"] == 0 and counts["{mm}"] == 1 and counts["{yyyy}"] + counts["{yy}"] == 1:
        return "yyyy+mm" if counts["{yyyy}"] else "yy+mm"
    return None


def billing_cross_checks(m) -> list[tuple[str, str]]:
    problems = []
    if m.bill_items is not None and m.bills is None:
        problems.append(("bill_items", "needs [connector.bills]"))
    if m.bills is not None and m.bill_items is not None and len(m.bill_items.bill_key) != len(m.bills.key):
        problems.append(
            ("bill_items.bill_key", f"has {len(m.bill_items.bill_key)} column(s) but bills.key has {len(m.bills.key)}")
        )
    if m.bills is not None and m.bills.status and not m.bills.status_map:
        problems.append(("bills.status_map", "required when bills.status is set (legacy code -> unpaid|partial|paid)"))
    if m.bills is not None and m.bill_items is not None and m.bill_items.changed is not None:
        if m.bill_items.table and m.bill_items.table == m.bills.table:
            problems.append(("bill_items.changed", "the items live in the bills table: bills.changed covers them"))
    if m.calls is not None:
        if [m.calls.table, m.calls.table_pattern, m.calls.query].count(None) != 2:
            problems.append(("calls.table", "give exactly one of table or table_pattern (or query)"))
        if not m.calls.call_type_map:
            problems.append(
                ("calls.call_type_map", "required (legacy code -> local|long_distance|international|roaming|data|sms)")
            )
    return problems
