"""Guesses about one legacy column from its name, its type and a sample of its values.

Money, time and code columns are what a ``[connector]`` mapping must describe
beyond names: ``amount_format`` (fen_int, jiao_int, yuan_text, yuan),
``changed_format`` and friends (native, epoch, epoch_ms, text:<strftime>, the
formats :mod:`plugins.sqlbss.markers` reads) and code maps. Names alone
mislead (an integer ``AMOUNT`` may be fen or yuan) and values alone mislead
(an ID sequence looks like epoch seconds), so money needs a name hint, epoch
times need a name hint, and a text time format is proposed only when every
sampled value parses with it inside the years markers accept.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from plugins.sqlbss.markers import to_datetime

LI_WORD = re.compile(r"(^|_)LI($|_)")  # FEE_LI, LI_AMT: integers in li (厘, 0.001 yuan)
MONEY_WORDS = ("FEE", "AMT", "AMOUNT", "MONEY", "CHARGE", "PRICE", "PAID", "COST", "BALANCE", "YUAN", "FEN", "JIAO")
MONEY_PINYIN = re.compile(r"(^|_)(JE|FY|[A-Z]{0,3}JE|YZF|XHF|ZDXF|[A-Z]{1,3}F)$")  # 金额, 费用, 总金额, 月租费, 选号费
TIME_WORDS = re.compile(r"(TS|TIME|DATE|DT|SJ|RQ|MONTH|ZQ|STAMP)$|^(UPD|MOD|CRE|LAST)", re.IGNORECASE)
CHANGE_WORDS = re.compile(r"XGSJ|GXSJ|UPD|MODIF|CHANGE|CHG|LAST_?MOD", re.IGNORECASE)
TEXT_FORMATS = ("%Y%m%d%H%M%S", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y-%m-%d", "%Y%m%d", "%Y%m")
MAX_CODES = 12  # a code column has at most this many distinct values ...
MAX_CODE_LENGTH = 6  # ... each at most this long
ID_NUMBER = re.compile(r"^\d{17}[\dXx]$|^\d{15}$")
MOBILE = re.compile(r"^1[3-9]\d{9}$")
CHINESE_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
UTC = dt.timezone.utc


@dataclass
class Guess:
    money: str | None = None  # fen_int | jiao_int | yuan_text | yuan
    time: str | None = None  # native | epoch | epoch_ms | text:<strftime>
    changed: bool = False  # looks like the row's change time (drives incremental sync)
    codes: list[str] = field(default_factory=list)  # the distinct values of a code column
    unique: bool = False  # no nulls and no repeats in the sample: a key candidate
    id_numbers: bool = False  # holds resident ID numbers

    def labels(self) -> list[str]:
        out = []
        if self.unique:
            out.append("key?")
        if self.money:
            out.append(f"money {self.money}")
        if self.time:
            out.append(f"time {self.time}" + (" (change time?)" if self.changed else ""))
        if self.codes:
            out.append("codes " + " ".join(self.codes))
        if self.id_numbers:
            out.append("ID numbers")
        return out


def guess_column(name: str, type_: sa.types.TypeEngine, values: list[Any], primary_key: bool = False) -> Guess:
    present = [v.strip() if isinstance(v, str) else v for v in values if v is not None]
    present = [v for v in present if v != ""]
    guess = Guess()
    guess.time = _time(name, type_, present)
    guess.unique = (
        bool(present)
        and len(present) == len(values)
        and len(set(map(str, present))) == len(present)
        and (primary_key or len(present) > 1)
        and guess.time is None
    )
    guess.changed = guess.time is not None and bool(CHANGE_WORDS.search(name))
    if guess.time is None:
        guess.money = _money(name, type_, present)
    if guess.time is None and guess.money is None and not guess.unique and not primary_key:
        guess.codes = _codes(present)
    guess.id_numbers = bool(present) and all(isinstance(v, str) and ID_NUMBER.match(v) for v in present)
    return guess


def _money(name: str, type_, values: list[Any]) -> str | None:
    upper = name.upper()
    if not (any(word in upper for word in MONEY_WORDS) or MONEY_PINYIN.search(upper)) or not values:
        return None
    if all(isinstance(v, str) for v in values):
        if all(re.fullmatch(r"-?\d+(\.\d{1,2})?", v) for v in values) and any("." in v for v in values):
            return "yuan_text"
        if all(re.fullmatch(r"-?\d+", v) for v in values):
            return "li_int" if LI_WORD.search(upper) else "jiao_int" if "JIAO" in upper else "fen_int"
        return None
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        if isinstance(type_, sa.Numeric) and not isinstance(type_, sa.Integer) and (type_.scale or 0) > 0:
            return "yuan"  # NUMBER(10,2) read back as whole numbers
        return (
            "li_int"
            if LI_WORD.search(upper)
            else "jiao_int"
            if "JIAO" in upper
            else "yuan"
            if "YUAN" in upper
            else "fen_int"
        )
    if all(isinstance(v, (int, float, decimal.Decimal)) and not isinstance(v, bool) for v in values):
        return "yuan"
    return None


def _time(name: str, type_, values: list[Any]) -> str | None:
    if isinstance(type_, (sa.DateTime, sa.Date)) or (
        values and all(isinstance(v, (dt.datetime, dt.date)) for v in values)
    ):
        return "native"
    if not values or not TIME_WORDS.search(name):
        return None
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        if all(100_000_000 <= v <= 4_102_444_800 for v in values):
            return "epoch"
        if all(100_000_000_000 <= v <= 4_102_444_800_000 for v in values):
            return "epoch_ms"
    for pattern in TEXT_FORMATS:
        if all(_parses(v, "text:" + pattern) for v in values):
            return "text:" + pattern
    return None


def _parses(value: Any, fmt: str) -> bool:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return False
    try:
        to_datetime(value, fmt, UTC)
    except ValueError:
        return False
    return True


def _codes(values: list[Any]) -> list[str]:
    distinct = sorted({str(v) for v in values})
    if len(values) < 2 * len(distinct) or len(distinct) > MAX_CODES or any(len(v) > MAX_CODE_LENGTH for v in distinct):
        return []
    return distinct


def mask(value: Any, names: bool = True) -> str:
    """A sample value fit to show: ID numbers, mobile numbers and (``names``) Chinese names keep only their ends."""
    text = (
        str(value).strip()
        if isinstance(value, str)
        else repr(value)
        if isinstance(value, (bytes, float))
        else str(value)
    )
    if ID_NUMBER.match(text):
        return text[:6] + "*" * (len(text) - 10) + text[-4:]
    if MOBILE.match(text):
        return text[:3] + "****" + text[-4:]
    if names and CHINESE_NAME.match(text):
        return text[0] + "*" * (len(text) - 1)
    return text if len(text) <= 40 else text[:37] + "..."
