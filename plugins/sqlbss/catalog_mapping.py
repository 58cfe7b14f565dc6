"""``[connector.catalog]``: the BSS's tariff table (资费) as product offerings, mapped.

One row per tariff: its code (what the lines' tariff column holds, the
offering's ``legacy_code``), name and prices - monthly fee, one-off fee,
prepayment (预存), minimum monthly spend - each in any money format of
:mod:`plugins.sqlbss.money` (``fen_int``, ``yuan_text``, ``li_int`` ...), so the
hall holds integer fen. ``kind`` + ``kind_map`` say what kind of line a tariff
is for (``phone``, ``broadband``, ``account``; ``other`` leaves a tariff out,
e.g. a dial-up tariff that is no line's plan); ``sold`` + ``sold_map`` say
whether the BSS still sells it. The core shows these tariffs when
``[products] connector_catalog = true``; they are sold only when tenant.toml
lists an offering with the same ``legacy_code`` (docs/products.md#the-catalog).

Imported by :mod:`plugins.sqlbss.mapping` part-way (after its base classes exist).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from plugins.sqlbss.mapping import Column, Source, code
from plugins.sqlbss.money import MoneyFormat

TariffKind = Literal["phone", "broadband", "account", "other"]
PRICES = ("monthly_fee", "one_off_fee", "deposit", "min_spend")


class CatalogMap(Source):
    code: Column = Field(description="Tariff code, as the lines' tariff column holds it (the offering's legacy_code).")
    name: Column = Field(description="Tariff name, shown to customers.")
    monthly_fee: Column | None = Field(None, description="Monthly fee; omitted means 0.")
    monthly_fee_format: MoneyFormat = "fen_int"
    one_off_fee: Column | None = Field(None, description="One-off fee when ordered; omitted means 0.")
    one_off_fee_format: MoneyFormat = "fen_int"
    deposit: Column | None = Field(None, description="Prepayment (预存) credited to the account; omitted means 0.")
    deposit_format: MoneyFormat = "fen_int"
    min_spend: Column | None = Field(None, description="Minimum monthly spend (最低消费); omitted means 0.")
    min_spend_format: MoneyFormat = "fen_int"
    kind: Column | None = Field(None, description="What kind of line the tariff is for; omitted means any kind.")
    kind_map: dict[str, TariffKind] = Field(
        default_factory=dict, description="Legacy code -> phone|broadband|account|other (other: left out)."
    )
    sold: Column | None = Field(None, description="Whether the BSS still sells the tariff; omitted means it does.")
    sold_map: dict[str, bool] = Field(default_factory=dict, description="Legacy code -> true (sold) | false.")

    _maps = field_validator("kind_map", "sold_map")(classmethod(lambda cls, v: {code(k): x for k, x in v.items()}))


def catalog_cross_checks(m) -> list[tuple[str, str]]:
    c = getattr(m, "catalog", None)
    problems = []
    if c is not None:
        if c.kind and not c.kind_map:
            problems.append(
                ("catalog.kind_map", "required when catalog.kind is set (legacy code -> phone|broadband|account|other)")
            )
        if c.sold and not c.sold_map:
            problems.append(("catalog.sold_map", "required when catalog.sold is set (legacy code -> true|false)"))
    return problems
