"""``[connector.writeback.events."<kind>"]``: an outbox event kind written as rows of a table the BSS already has.

One section per target (an array of them when a kind goes to several tables,
each with its ``when``)::

    [connector.writeback.events."payment.posted"]
    table = "JF_JIAOFEI"
    for_each = "payload.metadata.bills"     # one row per bill paid (omitted: one row per event)
    when = { "payload.purpose" = "bill" }   # only these events (any of a list of values)
    key = "LSH"                             # the column(s) that identify a written row

    [connector.writeback.events."payment.posted".columns]
    LSH = { serial = "WT{date:%Y%m%d}{hash:10}", date = "payload.paid_at" }
    HM = "payload.metadata.number"          # a plain string is a field of the event
    YF = { time = "item.month", format = "text:%Y%m" }
    JE = { money = "item.amount_fen", format = "jiao_int" }
    QD = { field = "payload.provider", map = { alipay = "12", wechat = "13" }, default = "19" }
    CZY = { value = "WT" }                  # a constant

A path names where a value comes from: ``payload.<field>.<field>`` (the
event's payload), ``item.<field>`` (the ``for_each`` element), ``event.id``,
``event.kind``, ``event.index`` (the element's position, from 1) and
``event.at`` (when the hall writes the row; never part of a key).
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from plugins.sqlbss.writeback_money import money_format

IDENT = r"^[A-Za-z_][A-Za-z0-9_$#]*$"  # as mapping.IDENT (not imported: mapping imports this module)
TABLE = r"^([A-Za-z_][A-Za-z0-9_$#]*\.)?[A-Za-z_][A-Za-z0-9_$#]*$"
EVENT_FIELDS = ("id", "kind", "index", "at")
SOURCES = ("field", "value", "serial", "text", "money", "time", "lookup")
Scalar = str | int | float | bool
SERIAL_PART = re.compile(r"\{(date|hash|index):([^{}]*)\}")
TEXT_PART = re.compile(r"\{([^{}]*)\}")
DATE_DIRECTIVES = re.compile(r"%[Yymd HMS]")
MIN_HASH, MAX_HASH = 8, 32


def path(value: str) -> str:
    """Validate a value path (see the module docstring)."""
    head, _, rest = value.partition(".")
    if head == "event" and rest in EVENT_FIELDS:
        return value
    if head in ("payload", "item") and all(re.match(r"^[A-Za-z0-9_$#-]+$", p) for p in rest.split(".")) and rest:
        return value
    if head == "item" and not rest:
        return value
    raise ValueError(
        f"{value!r} is not a value path: payload.<field>[.<field>...], item.<field>, or event.{'|'.join(EVENT_FIELDS)}"
    )


def time_format(value: str) -> str:
    if value in ("native", "epoch", "epoch_ms") or (value.startswith("text:") and "%" in value):
        return value
    raise ValueError("must be native, epoch, epoch_ms or text:<strftime format> such as text:%Y%m%d%H%M%S")


def serial_template(value: str) -> str:
    """``WT{date:%Y%m%d}{hash:10}``: literal letters, digits, ``-`` and ``_``; one ``{hash:N}``; ``{date:..}``, ``{index:N}``."""
    literal = SERIAL_PART.sub("", value)
    if not re.match(r"^[A-Za-z0-9_-]*$", literal):
        raise ValueError(
            f"{value!r}: outside {{date:..}}, {{hash:N}} and {{index:N}} a serial has letters, digits, - and _ only"
        )
    hashes = 0
    for kind, arg in SERIAL_PART.findall(value):
        if kind == "date" and (not arg or DATE_DIRECTIVES.sub("", arg).strip("-_/ :")):
            raise ValueError(f"{{date:{arg}}}: use %Y %y %m %d %H %M %S and - _ between them, e.g. {{date:%Y%m%d}}")
        if kind in ("hash", "index") and not arg.isdigit():
            raise ValueError(f"{{{kind}:{arg}}}: give the number of digits, e.g. {{{kind}:10}}")
        if kind == "hash":
            hashes += 1
            if not MIN_HASH <= int(arg) <= MAX_HASH:
                raise ValueError(f"{{hash:{arg}}}: between {MIN_HASH} and {MAX_HASH} digits (fewer would repeat)")
        if kind == "index" and not 1 <= int(arg) <= 6:
            raise ValueError(f"{{index:{arg}}}: between 1 and 6 digits")
    if hashes != 1:
        raise ValueError(f"{value!r}: a serial needs exactly one {{hash:N}} (what makes it differ per event)")
    return value


def text_template(value: str) -> str:
    if "{" not in value:
        raise ValueError(
            f'{value!r}: a text template names fields in braces, e.g. "{{payload.intent_id}}-{{event.index}}"'
        )
    for name in TEXT_PART.findall(value):
        path(name)
    return value


class ColumnValue(BaseModel):
    """Where one column's value comes from: exactly one of the ``SOURCES`` keys, with that source's options."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    field: str | None = Field(None, description="A value path, written as it is (or through `map`).")
    value: Scalar | None = Field(None, description="A constant.")
    serial: str | None = Field(None, description="A serial number made from the event id: WT{date:%Y%m%d}{hash:10}.")
    text: str | None = Field(None, description='Text with value paths in braces: "{payload.intent_id}-{event.index}".')
    money: str | None = Field(None, description="A value path holding integer fen, written in `format`.")
    time: str | None = Field(None, description="A value path holding a time (ISO), a date or a month (YYYY-MM).")
    lookup: str | None = Field(None, description="A value path whose value is looked up in another table.")
    format: str | None = Field(
        None, description="money: li|fen|jiao|yuan _int|_decimal|_text; time: native|epoch|epoch_ms|text:<strftime>."
    )
    negate: bool = Field(False, description="money: write minus the amount (a refund as a negative row).")
    map: dict[str, Scalar] = Field(default_factory=dict, description="field/lookup: hall value -> legacy code.")
    default: Scalar | None = Field(None, description="field/lookup: when the value is missing (or has no map entry).")
    date: str | None = Field(None, description="serial: the value path of the date in {date:..}.")
    table: str | None = Field(None, pattern=TABLE, description="lookup: the table to look in.")
    match: str | None = Field(None, pattern=IDENT, description="lookup: its column holding the value.")
    take: str | None = Field(None, pattern=IDENT, description="lookup: its column to write.")

    _paths = field_validator("field", "money", "time", "lookup", "date")(
        classmethod(lambda cls, v: path(v) if v is not None else v)
    )
    _serial = field_validator("serial")(classmethod(lambda cls, v: serial_template(v) if v is not None else v))
    _text = field_validator("text")(classmethod(lambda cls, v: text_template(v) if v is not None else v))

    @field_validator("map")
    @classmethod
    def _codes(cls, value: dict) -> dict:
        return {str(k).strip().casefold(): v for k, v in value.items()}

    @model_validator(mode="after")
    def _one_source(self) -> "ColumnValue":
        given = [s for s in SOURCES if s in self.model_fields_set and (s == "value" or getattr(self, s) is not None)]
        if len(given) != 1:
            raise ValueError(f"give exactly one of {', '.join(SOURCES)} (got {', '.join(given) or 'none'})")
        source = given[0]
        allowed = {
            "field": {"map", "default"},
            "lookup": {"map", "default", "table", "match", "take"},
            "serial": {"date"},
            "money": {"format", "negate"},
            "time": {"format"},
        }.get(source, set())
        extra = sorted(k for k in self.model_fields_set - {source} - allowed)
        if extra:
            raise ValueError(f"{', '.join(extra)} do(es) not go with {source}")
        if source == "money":
            if self.format is None:
                raise ValueError('money needs format, e.g. format = "jiao_int" (li|fen|jiao|yuan _int|_decimal|_text)')
            money_format(self.format)
        if source == "time":
            time_format(self.format or "native")
        if source == "lookup" and None in (self.table, self.match, self.take):
            raise ValueError("lookup needs table, match (its column holding the value) and take (its column to write)")
        if source == "serial" and "{date:" in (self.serial or "") and self.date is None:
            raise ValueError('a serial with {date:..} needs date, the value path of that date, e.g. "payload.paid_at"')
        if self.date == "event.at" or (self.text and "event.at" in TEXT_PART.findall(self.text)):
            raise ValueError("event.at changes on every attempt: a serial or text made from it would not repeat")
        return self

    @property
    def source(self) -> str:
        return next(s for s in SOURCES if s in self.model_fields_set and (s == "value" or getattr(self, s) is not None))

    def paths(self) -> list[str]:
        """Every value path this column reads."""
        found = [p for p in (self.field, self.money, self.time, self.lookup, self.date) if p]
        return found + (TEXT_PART.findall(self.text) if self.text else [])


def _flatten(value: dict, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in value.items():
        name = f"{prefix}.{k}" if prefix else str(k)
        if isinstance(v, dict):
            out.update(_flatten(v, name))
        else:
            out[name] = v
    return out


class EventTarget(BaseModel):
    """One table an event kind is written to: rows, their filter, their identity and their columns."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    table: str = Field(pattern=TABLE, description="The BSS table the rows go to, e.g. JF_JIAOFEI.")
    key: str | list[str] = Field(description="The column(s) identifying a written row: checked before the insert.")
    for_each: str | None = Field(None, description="A payload list: one row per element (item.<field>).")
    when: dict[str, Scalar | list[Scalar]] = Field(
        default_factory=dict, description='Only events whose fields have these values: { "payload.purpose" = "bill" }.'
    )
    columns: dict[str, ColumnValue] = Field(description="BSS column -> where its value comes from.")
    _kind: str = PrivateAttr("")
    _label: str = PrivateAttr("")

    @field_validator("key")
    @classmethod
    def _key(cls, value: str | list[str]) -> list[str]:
        cols = [value] if isinstance(value, str) else list(value)
        if not cols or not all(isinstance(c, str) and re.match(IDENT, c) for c in cols):
            raise ValueError('name the column(s), e.g. key = "LSH" or key = ["BZ", "YF"]')
        return cols

    @field_validator("for_each")
    @classmethod
    def _for_each(cls, value: str | None) -> str | None:
        if value is not None and not path(value).startswith("payload."):
            raise ValueError('a list in the payload, e.g. "payload.metadata.bills"')
        return value

    @field_validator("when", mode="before")
    @classmethod
    def _when(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        flat = _flatten(value)
        for name in flat:
            path(name)
        return flat

    @field_validator("columns", mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        """``COL = "payload.x"`` is a field; ``COL = 12`` a constant; anything else is a table of options."""
        if not isinstance(value, dict):
            return value
        out = {}
        for column, spec in value.items():
            if not re.match(IDENT, str(column)):
                raise ValueError(f"{column!r} is not a column name")
            if isinstance(spec, str):
                spec = {"field": spec}
            elif isinstance(spec, (int, float, bool)):
                spec = {"value": spec}
            out[column] = spec
        return out

    @property
    def kind(self) -> str:
        return self._kind

    @property
    def label(self) -> str:
        """Where this target sits in tenant.toml: ``writeback.events."payment.posted"`` (``[2]`` for the second)."""
        return self._label

    def column_key(self, column: str) -> str:
        return f"connector.{self.label}.columns.{column}"


def target_cross_checks(target: EventTarget) -> list[tuple[str, str]]:
    """What a target may not say although each key is fine alone: (key under connector., reason)."""
    at, problems = target.label, []
    names = {c.casefold(): c for c in target.columns}
    for col in target.key:
        if col.casefold() not in names:
            problems.append((f"{at}.key", f"column {col!r} is not in {at}.columns"))
    uses = [(c, p) for c, v in target.columns.items() for p in v.paths()] + [(None, p) for p in target.when]
    if target.for_each is None:
        for col, p in uses:
            if p.startswith("item"):
                where = f"{at}.columns.{col}" if col else f"{at}.when"
                problems.append((where, f"{p} needs for_each (the list whose elements are the items)"))
    key_values = [target.columns[names[c.casefold()]] for c in target.key if c.casefold() in names]
    for value in key_values:
        if "event.at" in value.paths():
            problems.append((f"{at}.key", "a key column may not come from event.at: a retry would not find its row"))
    if target.for_each is not None and key_values and not any(_per_element(v) for v in key_values):
        problems.append(
            (
                f"{at}.key",
                "with for_each, the key must differ per element: a serial, event.index or an item.<field> column",
            )
        )
    return problems


def _per_element(value: ColumnValue) -> bool:
    return value.source == "serial" or any(p.startswith("item") or p == "event.index" for p in value.paths())
