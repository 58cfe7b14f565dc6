"""The tenant's ``[connector]`` table for ``sqlbss``, validated: everything that differs between legacy systems.

Table and column names, code maps and the change-time format live here, so a
new operator's BSS is a configuration job. A mapped role is a
:data:`~plugins.sqlbss.expressions.Column` (a column name, or an expression:
several columns joined, a value looked up in another table); a section's rows
come from a table or a read-only query, narrowed by ``where`` / ``where_not``
(:class:`Source`). Problems become
:class:`~core.config.ConfigIssue` naming the tenant file, the full key
(``connector.customers.name``) and the reason, like every other configuration
error.

Two quirks of the hall's loader are absorbed here: it lower-cases every key
(so a status map written ``A = "active"`` arrives as ``a``) and TOML bare keys
are strings (``1 = "active"``). Codes are therefore compared as
``str(value).strip().casefold()`` on both sides.
"""

from __future__ import annotations

import re
import zoneinfo
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from core.api import ConfigError, ConfigIssue
from plugins.sqlbss import query_source
from plugins.sqlbss.expressions import IDENT, TABLE, Column, Columns, Filter
from plugins.sqlbss.writeback_map import WritebackMap, writeback_cross_checks

__all__ = ["IDENT", "TABLE", "Column", "Columns", "Filter", "Source", "SqlBssMapping", "code", "parse_mapping"]
CustomerStatus = Literal["active", "suspended", "closed"]
LineKind = Literal["phone", "account", "broadband"]


def code(value: Any) -> str:
    """The comparable form of a legacy code (see the module docstring)."""
    return str(value).strip().casefold()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Source(_Strict):
    """Where a section's rows come from: a table, or a read-only query in its place; ``where`` / ``where_not`` narrow them."""

    table: str | None = Field(None, pattern=TABLE, description="The table, optionally schema-qualified (or use query).")
    query: str | None = Field(
        None, description="A read-only SELECT in place of table; its result columns are mapped like a table's."
    )
    where: Filter = Field(default=(), description='Only rows where every condition holds, e.g. { DEL_FLAG = "0" }.')
    where_not: Filter = Field(default=(), description="Rows where a condition holds are left out (NULLs are kept).")

    @field_validator("query")
    @classmethod
    def _query(cls, value: str | None) -> str | None:
        return None if value is None else query_source.validate(value)


class CustomersMap(Source):
    key: Columns = Field(description="Column(s) identifying a customer; several are joined with key_separator.")
    key_separator: str = Field("-", max_length=3, description="Joins a composite key into the hall's legacy_id.")
    name: Column = Field(description="Customer name.")
    id_number: Column = Field(
        description="Resident ID number, 18 characters or 15 digits (hashed and masked on arrival)."
    )
    email: Column | None = None
    phone: Column | None = Field(None, description="Contact phone on file (one-time codes go there).")
    address: Column | None = None
    status: Column | None = Field(None, description="Status column; omitted means every customer is active.")
    status_map: dict[str, CustomerStatus] = Field(
        default_factory=dict, description="Legacy status code -> active|suspended|closed."
    )
    changed: Column = Field(description="Change-time column that drives incremental sync.")
    changed_format: str = Field(
        "native", description="native (a timestamp column), epoch (seconds), epoch_ms, or text:<strftime format>."
    )

    @field_validator("status_map")
    @classmethod
    def _codes(cls, value: dict) -> dict:
        return {code(k): v for k, v in value.items()}

    @field_validator("changed_format")
    @classmethod
    def _format(cls, value: str) -> str:
        if value in ("native", "epoch", "epoch_ms") or (value.startswith("text:") and "%" in value):
            return value
        raise ValueError("must be native, epoch, epoch_ms or text:<strftime format> such as text:%Y%m%d%H%M%S")


class NumbersMap(Source):
    number: Column = Field(description="The service number or account name customers type.")
    customer_key: Columns = Field(description="Column(s) pointing at the customer, in the order of customers.key.")
    kind: Column | None = Field(None, description="Line type column; omitted means default_kind.")
    kind_map: dict[str, LineKind] = Field(
        default_factory=dict, description="Legacy type code -> phone|account|broadband."
    )
    default_kind: LineKind = "phone"
    status: Column | None = None
    status_map: dict[str, CustomerStatus] = Field(
        default_factory=dict, description="Legacy line status code -> active|suspended|closed."
    )
    account: Columns | None = Field(
        None,
        description="Column(s) naming the line's paying account, in the order of accounts.key (accounts_mapping.py).",
    )
    changed: Column | None = Field(
        None, description="The lines' own change time (as customers.changed_format): a customer changes with its lines."
    )

    @field_validator("kind_map", "status_map")
    @classmethod
    def _codes(cls, value: dict) -> dict:
        return {code(k): v for k, v in value.items()}


# Bills and call records: their sections live in billing_mapping.py, which needs the base classes above.
from plugins.sqlbss.billing_mapping import BillItemsMap, BillsMap, CallsMap, billing_cross_checks  # noqa: E402
from plugins.sqlbss.lines_mapping import LinesMap, PoolMap, lines_cross_checks  # noqa: E402
from plugins.sqlbss.payments_map import PaymentRecordsMap  # noqa: E402
from plugins.sqlbss.balances_mapping import BalancesMap  # noqa: E402
from plugins.sqlbss.accounts_mapping import AccountsMap, accounts_cross_checks  # noqa: E402
from plugins.sqlbss.catalog_mapping import CatalogMap, catalog_cross_checks  # noqa: E402


class SqlBssMapping(_Strict):
    type: Literal["sqlbss"]
    url: str = Field(
        description="sqlite:///path (relative to the hall's folder), postgresql://user@host/db, or any SQLAlchemy URL with its driver."
    )
    timezone: str = Field("Asia/Shanghai", description="Time zone of the legacy system's naive timestamps.")
    pool_size: int = Field(2, ge=1, le=20, description="Connections kept open to the legacy database.")
    demo_style: Literal["jiangnan", "haibin", "qianshan"] | None = Field(
        None, description="Only for `hall demo`: the demo legacy system to generate at `url`."
    )
    customers: CustomersMap
    numbers: NumbersMap
    accounts: AccountsMap | None = None  # billing accounts (账户): accounts_mapping.py
    bills: BillsMap | None = None
    bill_items: BillItemsMap | None = None
    calls: CallsMap | None = None
    lines: LinesMap | None = None  # line details (tariff, features): the lines port
    number_pool: PoolMap | None = None  # free numbers for selection: the number_pool port
    writeback: WritebackMap | None = None  # the outbox's inbox and mapped tables; omitted: no writeback port
    payment_records: PaymentRecordsMap | None = None  # the BSS's payments table: the payment_records port
    balances: BalancesMap | None = None  # account balances, looked up live: the balances port (balances.py)
    catalog: CatalogMap | None = None  # the BSS's tariff table as offerings: the tariff catalog port (catalog.py)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name such as Asia/Shanghai)") from None
        return value

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


def _columns(value: str | list[str]) -> list[str]:
    """Plain column names (sections not yet on expressions: balances, payment_records)."""
    cols = [value] if isinstance(value, str) else list(value)
    if not cols:
        raise ValueError("name at least one column")
    for col in cols:
        if not re.match(IDENT, col):
            raise ValueError(f"{col!r} is not a column name")
    return cols


NOT_AN_EXPRESSION = (
    "a column name only: this section does not take {{ concat }} or {{ lookup }} yet "
    "(docs/connectors.md, Columns and expressions); got {value}"
)


def plain_column(value):
    """Before validation, in sections not yet on expressions: a table here is an expression, and is named as one."""
    values = value if isinstance(value, list) else [value]
    if any(isinstance(v, dict) for v in values):
        raise ValueError(NOT_AN_EXPRESSION.format(value=value))
    return value


def _reason(err: dict) -> str:
    if err["type"] == "extra_forbidden":
        return "unknown key (check the spelling against docs/examples/connector-*.toml)"
    if err["type"] == "missing":
        return "required value is missing"
    reason = err["msg"].removeprefix("Value error, ")
    if err["type"] == "string_pattern_mismatch":
        reason = "not a plain table or column name (letters, digits, _ $ #)"
    if not isinstance(err.get("input"), (dict, type(None))):
        reason += f" (got {err['input']!r})"
    return reason


def _cross_checks(m: SqlBssMapping) -> list[tuple[str, str]]:
    problems = []
    if len(m.numbers.customer_key) != len(m.customers.key):
        problems.append(
            (
                "numbers.customer_key",
                f"has {len(m.numbers.customer_key)} column(s) but customers.key has {len(m.customers.key)}",
            )
        )
    if m.customers.status and not m.customers.status_map:
        problems.append(
            ("customers.status_map", "required when customers.status is set (legacy code -> active|suspended|closed)")
        )
    if m.numbers.status and not m.numbers.status_map:
        problems.append(
            ("numbers.status_map", "required when numbers.status is set (legacy code -> active|suspended|closed)")
        )
    if m.numbers.kind and not m.numbers.kind_map:
        problems.append(
            ("numbers.kind_map", "required when numbers.kind is set (legacy code -> phone|account|broadband)")
        )
    if m.numbers.changed is not None and m.numbers.table and m.numbers.table == m.customers.table:
        problems.append(("numbers.changed", "the lines live in the customers table: customers.changed covers them"))
    return (
        problems
        + source_checks(m)
        + billing_cross_checks(m)
        + lines_cross_checks(m)
        + writeback_cross_checks(m)
        + accounts_cross_checks(m)
        + catalog_cross_checks(m)
    )


SOURCES = ("customers", "numbers", "accounts", "bills", "bill_items", "number_pool")


def has_query(m: SqlBssMapping) -> bool:
    """Whether any section reads an integrator's query (then the connector reads in read-only transactions)."""
    sections = [getattr(m, name) for name in (*SOURCES, "calls")]
    if m.lines is not None and m.lines.tariffs is not None:
        sections.append(m.lines.tariffs)
    return any(getattr(s, "query", None) for s in sections if s is not None)


def source_checks(m: SqlBssMapping) -> list[tuple[str, str]]:
    """Each section reads a table or a query, not both, not neither."""
    sections = [(name, getattr(m, name)) for name in SOURCES]
    if m.lines is not None and m.lines.tariffs is not None:
        sections.append(("lines.tariffs", m.lines.tariffs))
    problems = []
    for name, section in sections:
        if section is None:
            continue
        if section.table is None and section.query is None:
            problems.append((f"{name}.table", "required value is missing (or give query: a read-only SELECT)"))
        elif section.table is not None and section.query is not None:
            problems.append((f"{name}.query", "give table or query, not both"))
    return problems


def parse_mapping(config: dict, tenant_file: Path | str) -> SqlBssMapping:
    """Validate a tenant's ``[connector]`` table; raise ConfigError naming file, key and reason."""
    file = str(tenant_file)
    try:
        mapping = SqlBssMapping.model_validate(config)
    except ValidationError as exc:
        issues = [
            ConfigIssue(file, ".".join(["connector", *(str(p) for p in err["loc"])]), _reason(err))
            for err in exc.errors()
        ]
        raise ConfigError(issues) from None
    problems = _cross_checks(mapping)
    if problems:
        raise ConfigError([ConfigIssue(file, f"connector.{key}", reason) for key, reason in problems])
    return mapping
