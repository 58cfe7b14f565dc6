"""``[connector.payment_records]``: the BSS's own payments table, read by the ``payment_records`` port.

Every payment the BSS knows - made at the counter, at a bank, or written back
by the hall - is one row: its serial number, the account (and number) it
paid, the amount, when, the bill month, the channel, and (for the hall's own
write-backs) the column where the write-back put the hall's payment id. The
reconciliation pairs the rows with the hall's payments by that reference.

Imported by :mod:`plugins.sqlbss.mapping` part-way (after its base classes exist).
"""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from plugins.sqlbss import mapping as base
from plugins.sqlbss.mapping import IDENT, TABLE, Source, code
from plugins.sqlbss.writeback_money import money_format
from plugins.sqlbss.writeback_targets import time_format

ORDER = ("%Y", "%m", "%d", "%H", "%M", "%S")


def sortable_time(value: str) -> str:
    """A time format whose text sorts as time does (year first, then month...): the port filters and pages on it."""
    value = time_format(value)
    if value.startswith("text:"):
        found = re.findall(r"%.", value[5:])
        if found != list(ORDER[: len(found)]):
            raise ValueError(
                f"{value!r}: the port compares the text in the database, so it must sort as time: "
                "%Y first, then %m, %d, %H, %M, %S (e.g. text:%Y%m%d%H%M%S or text:%Y-%m-%d %H:%M:%S)"
            )
    return value


def _opt(description: str):
    return Field(None, pattern=IDENT, description=description)


class PaymentRecordsMap(Source):
    """The payments table (or a query), narrowed by where / where_not like every section (reversed rows left out)."""

    table: str = Field(pattern=TABLE, description="The BSS's payments table, e.g. JF_JIAOFEI.")
    key: str | list[str] = Field(description="Column(s) identifying a payment (its serial number).")
    key_separator: str = Field("-", max_length=3, description="Joins a composite key into the payment's legacy_id.")
    account: str = Field(pattern=IDENT, description="The account paid (the number, where the BSS has no accounts).")
    number: str | None = _opt("The service number paid for, where the row has one.")
    amount: str = Field(pattern=IDENT, description="The amount paid (negative for a reversal).")
    amount_format: str = Field("fen_int", description="li|fen|jiao|yuan with _int, _decimal or _text (or yuan).")
    paid_at: str = Field(pattern=IDENT, description="When it was paid: filters and orders the rows.")
    paid_at_format: str = Field(
        "native", description="native, epoch, epoch_ms or text:<strftime> that sorts as time (text:%Y%m%d%H%M%S)."
    )
    month: str | None = _opt("The bill month paid, where the row has one.")
    month_format: str = Field("text:%Y%m", description="How the month is written: native, epoch or text:<strftime>.")
    channel: str | None = _opt("The channel code (counter, bank, the hall...).")
    channel_map: dict[str, str] = Field(
        default_factory=dict, description='Channel code -> the name shown in reports, e.g. "01" = "counter".'
    )
    reference: str | None = _opt("Where the hall's write-back put its payment or refund id (its reference column).")

    _plain = field_validator(
        "key", "account", "number", "amount", "paid_at", "month", "channel", "reference", mode="before"
    )(classmethod(lambda cls, v: base.plain_column(v)))
    _key = field_validator("key")(classmethod(lambda cls, v: base._columns(v)))
    _money = field_validator("amount_format")(classmethod(lambda cls, v: money_format(v)))
    _paid = field_validator("paid_at_format")(classmethod(lambda cls, v: sortable_time(v)))
    _month = field_validator("month_format")(classmethod(lambda cls, v: time_format(v)))
    _codes = field_validator("channel_map")(classmethod(lambda cls, v: {code(k): str(x) for k, x in v.items()}))
