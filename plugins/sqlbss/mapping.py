"""The tenant's ``[connector]`` table for ``sqlbss``, validated: everything that differs between legacy systems.

Table and column names, code maps and the change-time format live here, so a
new operator's BSS is a configuration job. Problems become
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
from plugins.sqlbss.writeback_map import WritebackMap, writeback_cross_checks

IDENT = r"^[A-Za-z_][A-Za-z0-9_$#]*$"
TABLE = r"^([A-Za-z_][A-Za-z0-9_$#]*\.)?[A-Za-z_][A-Za-z0-9_$#]*$"  # optionally schema-qualified
CustomerStatus = Literal["active", "suspended", "closed"]
LineKind = Literal["phone", "account", "broadband"]


def code(value: Any) -> str:
    """The comparable form of a legacy code (see the module docstring)."""
    return str(value).strip().casefold()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _column(description: str = ""):
    return Field(pattern=IDENT, description=description)


class CustomersMap(_Strict):
    table: str = Field(pattern=TABLE, description="Customer table, e.g. KH_KHXX or SCHEMA.KH_KHXX.")
    key: str | list[str] = Field(description="Column(s) identifying a customer; several are joined with key_separator.")
    key_separator: str = Field("-", max_length=3, description="Joins a composite key into the hall's legacy_id.")
    name: str = _column("Customer name.")
    id_number: str = _column("Resident ID number, 18 characters or 15 digits (hashed and masked on arrival).")
    email: str | None = Field(None, pattern=IDENT)
    phone: str | None = Field(None, pattern=IDENT, description="Contact phone on file (one-time codes go there).")
    address: str | None = Field(None, pattern=IDENT)
    status: str | None = Field(
        None, pattern=IDENT, description="Status column; omitted means every customer is active."
    )
    status_map: dict[str, CustomerStatus] = Field(
        default_factory=dict, description="Legacy status code -> active|suspended|closed."
    )
    changed: str = _column("Change-time column that drives incremental sync.")
    changed_format: str = Field(
        "native", description="native (a timestamp column), epoch (seconds), epoch_ms, or text:<strftime format>."
    )

    @field_validator("key")
    @classmethod
    def _key(cls, value: str | list[str]) -> list[str]:
        return _columns(value)

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


class NumbersMap(_Strict):
    table: str = Field(pattern=TABLE, description="Service-line table.")
    number: str = _column("The service number or account name customers type.")
    customer_key: str | list[str] = Field(
        description="Column(s) pointing at the customer, in the order of customers.key."
    )
    kind: str | None = Field(None, pattern=IDENT, description="Line type column; omitted means default_kind.")
    kind_map: dict[str, LineKind] = Field(
        default_factory=dict, description="Legacy type code -> phone|account|broadband."
    )
    default_kind: LineKind = "phone"
    status: str | None = Field(None, pattern=IDENT)
    status_map: dict[str, CustomerStatus] = Field(
        default_factory=dict, description="Legacy line status code -> active|suspended|closed."
    )

    @field_validator("customer_key")
    @classmethod
    def _key(cls, value: str | list[str]) -> list[str]:
        return _columns(value)

    @field_validator("kind_map", "status_map")
    @classmethod
    def _codes(cls, value: dict) -> dict:
        return {code(k): v for k, v in value.items()}


# Bills and call records: their sections live in billing_mapping.py, which needs the base classes above.
from plugins.sqlbss.billing_mapping import BillItemsMap, BillsMap, CallsMap, billing_cross_checks  # noqa: E402
from plugins.sqlbss.lines_mapping import LinesMap, PoolMap, lines_cross_checks  # noqa: E402
from plugins.sqlbss.payments_map import PaymentRecordsMap  # noqa: E402
from plugins.sqlbss.balances_mapping import BalancesMap  # noqa: E402


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
    bills: BillsMap | None = None
    bill_items: BillItemsMap | None = None
    calls: CallsMap | None = None
    lines: LinesMap | None = None  # line details (tariff, features): the lines port
    number_pool: PoolMap | None = None  # free numbers for selection: the number_pool port
    writeback: WritebackMap | None = None  # the outbox's inbox and mapped tables; omitted: no writeback port
    payment_records: PaymentRecordsMap | None = None  # the BSS's payments table: the payment_records port
    balances: BalancesMap | None = None  # account balances, looked up live: the balances port (balances.py)

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
    cols = [value] if isinstance(value, str) else list(value)
    if not cols:
        raise ValueError("name at least one column")
    for col in cols:
        if not re.match(IDENT, col):
            raise ValueError(f"{col!r} is not a column name")
    return cols


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
    return problems + billing_cross_checks(m) + lines_cross_checks(m) + writeback_cross_checks(m)


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
