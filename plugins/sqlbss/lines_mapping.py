"""``[connector.lines]`` and ``[connector.number_pool]``: service lines in detail and the free-number pool, mapped.

Lines live in the table of ``[connector.numbers]`` (its number, customer key,
kind and status are reused); ``[connector.lines]`` adds the columns only the
details need: tariff code (with an optional ``[connector.lines.tariffs]``
table for name and monthly fee), opening date and feature flags. Flags are
read through ``flag_map`` (legacy code -> true/false). Money formats are the
billing ones (:mod:`plugins.sqlbss.money`: ``fen_int``, ``li_int``, ``yuan_text`` ...).

Imported by :mod:`plugins.sqlbss.mapping` part-way (after its base classes exist).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from plugins.sqlbss.billing_mapping import TIME_HELP, time_format
from plugins.sqlbss.mapping import Column, Source, _Strict, code
from plugins.sqlbss.money import MoneyFormat

PoolKind = Literal["mobile", "fixed"]
PoolStatus = Literal["free", "reserved", "taken"]
DEFAULT_FLAGS = {"1": True, "0": False, "y": True, "n": False, "true": True, "false": False}


def _col(description: str = ""):
    return Field(description=description)


def _opt(description: str = ""):
    return Field(None, description=description)


def _codes(value: dict) -> dict:
    return {code(k): v for k, v in value.items()}


class TariffsMap(Source):
    code: Column = _col("Tariff code, as the lines' tariff column holds it.")
    name: Column = _col("Tariff name.")
    monthly_fee: Column | None = _opt("Monthly fee; omitted means 0.")
    monthly_fee_format: MoneyFormat = "fen_int"


class LinesMap(_Strict):
    tariff: Column | None = _opt("Column of the numbers table holding the line's tariff code.")
    tariffs: TariffsMap | None = None
    opened: Column | None = _opt("Opening date column.")
    opened_format: str = Field("native", description=TIME_HELP)
    long_distance: Column | None = _opt("Domestic long-distance enabled flag column.")
    international: Column | None = _opt("International calls enabled flag column.")
    flag_map: dict[str, bool] = Field(
        default_factory=lambda: dict(DEFAULT_FLAGS), description="Legacy flag code -> true|false."
    )

    _flags = field_validator("flag_map")(classmethod(lambda cls, v: _codes(v)))
    _time = field_validator("opened_format")(classmethod(lambda cls, v: time_format(v)))


class PoolMap(Source):
    number: Column = _col("The number.")
    kind: Column | None = _opt("Number type column; omitted means default_kind.")
    kind_map: dict[str, PoolKind] = Field(default_factory=dict, description="Legacy type code -> mobile|fixed.")
    default_kind: PoolKind = "mobile"
    area: Column | None = _opt("Area code column.")
    grade: Column | None = _opt("Premium grade column; omitted means every number is ordinary.")
    grade_map: dict[str, int] = Field(
        default_factory=dict, description="Legacy grade code -> 0 (ordinary) .. 9 (best)."
    )
    price: Column | None = _opt("Selection fee; omitted means 0.")
    price_format: MoneyFormat = "fen_int"
    min_spend: Column | None = _opt("Monthly minimum spend that comes with the number.")
    min_spend_format: MoneyFormat | None = Field(None, description="Defaults to price_format.")
    status: Column = _col("Status column (free, reserved, taken).")
    status_map: dict[str, PoolStatus] = Field(description="Legacy status code -> free|reserved|taken.")

    _maps = field_validator("kind_map", "status_map")(classmethod(lambda cls, v: _codes(v)))

    @field_validator("grade_map")
    @classmethod
    def _grades(cls, value: dict) -> dict:
        if any(not 0 <= g <= 9 for g in value.values()):
            raise ValueError("grades are 0 (ordinary) to 9")
        return _codes(value)


def lines_cross_checks(m) -> list[tuple[str, str]]:
    problems = []
    if m.lines is not None and m.lines.tariffs is not None and not m.lines.tariff:
        problems.append(("lines.tariff", "required with [connector.lines.tariffs] (the lines' tariff code column)"))
    p = m.number_pool
    if p is not None:
        if p.kind and not p.kind_map:
            problems.append(
                ("number_pool.kind_map", "required when number_pool.kind is set (legacy code -> mobile|fixed)")
            )
        if p.grade and not p.grade_map:
            problems.append(("number_pool.grade_map", "required when number_pool.grade is set (legacy code -> 0..9)"))
        if "free" not in p.status_map.values():
            problems.append(("number_pool.status_map", "must map at least one code to free"))
    return problems
