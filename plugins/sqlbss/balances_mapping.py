"""``[connector.balances]``: account balances (余额), looked up live, one account at a time.

``account`` names the column(s) that hold the account as the hall names it:
the account's legacy id where the BSS has accounts, the service number where it
bills per number (then CHAR padding of the number is found as everywhere,
padding.py); several columns are joined with ``key_separator``. Money formats
are the billing ones (``fen_int``, ``jiao_int``, ``yuan_text``, ``yuan``),
negative for money owed. ``as_of`` (the BSS's own time for the figure) is
optional: without it a figure is as of the look-up. ``billing`` + ``billing_map``
say prepaid or postpaid per row; without them every account is ``default_billing``.

Imported by :mod:`plugins.sqlbss.mapping` part-way (after its base classes exist).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from plugins.sqlbss import mapping as base
from plugins.sqlbss.billing_mapping import TIME_HELP, MoneyFormat, time_format
from plugins.sqlbss.mapping import IDENT, TABLE, _Strict, code

Billing = Literal["postpaid", "prepaid"]


class BalancesMap(_Strict):
    table: str = Field(pattern=TABLE, description="Balance table (one row per account, or a history with as_of).")
    account: str | list[str] = Field(
        description="Column(s) holding the account as the hall names it (for a BSS without accounts: the number); several are joined with key_separator."
    )
    key_separator: str = Field("-", max_length=3)
    balance: str = Field(pattern=IDENT, description="The balance: positive is credit, negative is money owed.")
    balance_format: MoneyFormat = "fen_int"
    as_of: str | None = Field(
        None, pattern=IDENT, description="When the BSS computed the figure; omitted means the time of the look-up."
    )
    as_of_format: str = Field("native", description=TIME_HELP)
    billing: str | None = Field(None, pattern=IDENT, description="Prepaid/postpaid code column.")
    billing_map: dict[str, Billing] = Field(default_factory=dict, description="Legacy code -> postpaid|prepaid.")
    default_billing: Billing = Field("postpaid", description="Without a billing column: every account's billing.")

    _plain = field_validator("account", "balance", "as_of", "billing", mode="before")(
        classmethod(lambda cls, v: base.plain_column(v))
    )
    _key = field_validator("account")(classmethod(lambda cls, v: base._columns(v)))
    _codes = field_validator("billing_map")(classmethod(lambda cls, v: {code(k): x for k, x in v.items()}))
    _time = field_validator("as_of_format")(classmethod(lambda cls, v: time_format(v)))

    @model_validator(mode="after")
    def _billing_needs_its_map(self) -> "BalancesMap":
        if self.billing and not self.billing_map:
            raise ValueError("billing_map is required when billing is set (legacy code -> postpaid|prepaid)")
        return self
