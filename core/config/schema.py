"""Typed schemas for hall.toml and tenant.toml.

Every field carries a description: ``hall config-reference`` turns these models
into docs/configuration.md, so the reference can never drift from the validator.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from core.config.products import ProductsSection
from core.config.sms import SmsSection

TENANT_ID = re.compile(r"^[a-z][a-z0-9_-]{1,31}$")
LANGUAGES = ("zh_CN", "en")


class Strict(BaseModel):
    # Dynaconf parses HALL_* values as TOML, so a hotline "96000" arrives as an int: accept it for text fields.
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)


class HallSection(Strict):
    name: str = Field(
        "Hall", description="Deployment name shown where no tenant applies (super-admin console, unknown-host page)."
    )
    default_theme: str = Field(
        "default", description="Theme used by tenants that do not name one; must exist under themes/."
    )
    default_language: Literal["zh_CN", "en"] = Field(
        "zh_CN", description="Language used when neither the tenant nor the user chose one."
    )
    plugins: list[str] = Field(
        default_factory=list, description="Plugins enabled for tenants whose tenant.toml does not list its own."
    )
    tenants_dir: str = Field(
        "tenants", description="Folder holding one sub-folder per tenant, each with a tenant.toml."
    )
    themes_dir: str = Field("themes", description="Folder holding the themes.")
    var_dir: str = Field(
        "var", description="Folder for the embedded database, demo legacy databases and other run-time files."
    )
    environment: Literal["development", "production"] = Field(
        "development",
        description="`production` makes `hall check` and start-up refuse what only a demo may do (a tenant whose SMS go to the demo outbox only). A tenant may override it in [tenant].",
    )
    trace_hooks: bool = Field(
        False,
        description="Log every plugin hook call, its arguments and its result to the `hall.hooks` logger at DEBUG (pluggy's tracing); also turned on by HALL_TRACE_HOOKS=1. For finding which plugin answered what, not for production.",
    )


class DatabaseSection(Strict):
    url: str = Field(
        "sqlite:///var/hall.sqlite3",
        description="sqlite:///relative/or/absolute/path.sqlite3 (embedded) or postgresql://user@host:port/dbname (production).",
    )
    pool_size: int = Field(
        10,
        ge=1,
        le=200,
        description="Connections kept open per worker process (PostgreSQL pool size, SQLite reader pool).",
    )

    @field_validator("url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        from core.db.url import parse_database_url

        parse_database_url(value)  # raises ValueError with a readable reason
        return value


class ServerSection(Strict):
    host: str = Field("127.0.0.1", description="Address `hall serve` binds to.")
    port: int = Field(8000, ge=1, le=65535, description="Port `hall serve` listens on.")
    workers: int = Field(1, ge=1, le=64, description="Web worker processes started by `hall serve`.")
    page_cache_mb: int = Field(
        32,
        ge=0,
        le=4096,
        description="Megabytes of rendered customer pages each web worker keeps (least recently used out first); 0 turns the page cache off. A stored page is served only while the customer's data version in the database is unchanged (docs/architecture.md, Page cache).",
    )
    page_cache_seconds: float = Field(
        30,
        ge=0,
        le=3600,
        description='The longest a stored page is served, however current its data: bounds the time-dependent bits of a page (the "data may be out of date" note of a sync that stopped).',
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description='Addresses or CIDR networks of reverse proxies (e.g. ["10.0.0.5", "10.1.0.0/16"]) whose X-Forwarded-For and X-Forwarded-Proto are believed: the client address for throttling and the audit log, and HTTPS for HSTS and Secure cookies. Empty: the peer address is the client and only a direct HTTPS connection counts.',
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        from core.web.client import parse_networks

        parse_networks(value)  # raises ValueError naming the entry
        return value


class SecuritySection(Strict):
    secret_key: SecretStr | None = Field(
        None,
        description="Secret for signing and keyed hashes (ID numbers). Secret: set HALL_SECURITY__SECRET_KEY or put it in the secrets file; never in hall.toml.",
    )
    session_days: int = Field(
        14, ge=1, le=365, description="How long a customer or operator session lasts without activity."
    )
    login_max_failures: int = Field(
        5,
        ge=1,
        le=100,
        description="Failed log-ins of one account from one address (within login_memory_hours) before each further attempt must wait; one address over all accounts gets 4x as many, one account from addresses it never logged in from 10x. Never a lock-out: the wait grows (docs/architecture.md, Throttling).",
    )
    login_window_minutes: int = Field(
        15,
        ge=1,
        le=1440,
        description="The longest wait between two log-in attempts of one account from one address, or of one address; also the window in which one address may fail sign-up's identity check 4x login_max_failures times.",
    )
    login_first_wait_seconds: int = Field(
        30,
        ge=1,
        le=3600,
        description="The first wait after login_max_failures failures; it doubles with every further failure, up to login_window_minutes.",
    )
    login_account_max_wait_seconds: int = Field(
        60,
        ge=1,
        le=3600,
        description="The longest wait the account-wide limit (attempts from addresses the account never logged in from) imposes: it slows an attack from many addresses, never keeps the owner out.",
    )
    login_memory_hours: int = Field(24, ge=1, le=720, description="How long failed log-ins are remembered.")
    otp_minutes: int = Field(10, ge=1, le=60, description="How long a one-time code stays valid.")
    otp_max_attempts: int = Field(5, ge=1, le=20, description="Wrong guesses allowed for one one-time code.")
    otp_guesses_per_day: int = Field(
        10,
        ge=1,
        le=200,
        description="Wrong guesses allowed for one customer across all their one-time codes within 24 hours (asking for new codes buys no new guesses).",
    )
    code_resend_seconds: int = Field(
        60,
        ge=1,
        le=3600,
        description="After a one-time code is sent, the next one to the same number or e-mail (or customer) waits this long; the wait doubles with every further code within 24 hours, up to code_max_wait_minutes.",
    )
    code_max_wait_minutes: int = Field(
        60,
        ge=1,
        le=1440,
        description="The longest wait between two one-time codes to the same destination or customer.",
    )
    code_sends_per_day: int = Field(
        10,
        ge=1,
        le=1000,
        description="One-time codes to one number or e-mail address, and to one customer, within 24 hours.",
    )
    code_sends_per_address_hour: int = Field(
        20,
        ge=1,
        le=10000,
        description="One-time codes requested from one client address within an hour (many customers may share an address behind NAT).",
    )
    cookie_secure: bool = Field(
        False,
        description="Always mark cookies Secure. Without it cookies are Secure whenever the request came over HTTPS (directly, or as X-Forwarded-Proto from one of server.trusted_proxies).",
    )
    hsts_seconds: int = Field(
        31536000,
        ge=0,
        le=63072000,
        description="Strict-Transport-Security max-age sent on HTTPS responses (0: no HSTS header).",
    )


class MailSection(Strict):
    host: str = Field("127.0.0.1", description="SMTP server host.")
    port: int = Field(8025, ge=1, le=65535, description="SMTP server port.")
    sender: str = Field("noreply@hall.localhost", description="From address of outgoing mail.")
    starttls: bool = Field(False, description="Use STARTTLS.")
    username: str = Field("", description="SMTP user name, if the server needs one.")
    password: SecretStr | None = Field(None, description="SMTP password. Secret: environment or secrets file only.")
    timeout_seconds: float = Field(10.0, gt=0, le=120, description="SMTP connect/send timeout.")


class JobsSection(Strict):
    schedule_in_web: bool = Field(
        True,
        description="SQLite only: run periodic jobs inside the web process. Turn off when a separate `hall worker` runs them (on PostgreSQL `hall worker` always does).",
    )
    concurrency: int = Field(
        1, ge=1, le=32, description="PostgreSQL: jobs one `hall worker` process runs at the same time."
    )
    heartbeat_seconds: float = Field(
        10.0, ge=0.5, le=300, description="PostgreSQL: how often each `hall worker` records that it is alive."
    )
    stalled_after_seconds: float = Field(
        60.0,
        ge=2,
        le=3600,
        description="PostgreSQL: a worker silent this long is taken for dead; the jobs it was running are retried by the other workers (at least 3x heartbeat_seconds).",
    )

    @model_validator(mode="after")
    def _stalled_after_heartbeats(self):
        if self.stalled_after_seconds < 3 * self.heartbeat_seconds:
            raise ValueError(
                "stalled_after_seconds must be at least 3 x heartbeat_seconds (a busy worker may miss one heartbeat)"
            )
        return self


class DeploymentSettings(Strict):
    """hall.toml: the whole deployment."""

    hall: HallSection = Field(default_factory=HallSection)
    database: DatabaseSection = Field(default_factory=DatabaseSection)
    server: ServerSection = Field(default_factory=ServerSection)
    security: SecuritySection = Field(default_factory=SecuritySection)
    mail: MailSection = Field(default_factory=MailSection)
    jobs: JobsSection = Field(default_factory=JobsSection)
    plugins: dict[str, dict] = Field(
        default_factory=dict,
        description="[plugins.<name>] settings per plugin, validated against the plugin's schema; overridden per tenant.",
    )


class BrandSection(Strict):
    logo: str = Field("", description="Logo file inside the tenant folder (SVG or PNG), served at /brand/logo.")
    primary_colour: str = Field("#0b5cad", pattern=r"^#[0-9a-fA-F]{6}$", description="Main brand colour (#rrggbb).")
    accent_colour: str = Field("#f39800", pattern=r"^#[0-9a-fA-F]{6}$", description="Accent colour (#rrggbb).")
    hotline: str = Field(
        "10000", min_length=3, max_length=20, description="Customer service hotline shown in the header and footer."
    )
    footer: str = Field("", max_length=500, description="Footer text (plain text).")


class TenantSection(Strict):
    name: str = Field(..., min_length=1, max_length=80, description="The hall's name as customers see it.")
    name_en: str = Field("", max_length=80, description="English name; falls back to `name`.")
    hosts: list[str] = Field(
        default_factory=list,
        description="Host names that resolve to this tenant; each may be claimed by one tenant only.",
    )
    theme: str = Field("", description="Theme name (empty: the deployment default).")
    language: Literal["zh_CN", "en", ""] = Field(
        "", description="Default language for this tenant (empty: the deployment default)."
    )
    plugins: list[str] | None = Field(
        None, description="Plugins enabled for this tenant; omitted means the deployment's [hall].plugins."
    )
    timezone: str = Field(
        "Asia/Shanghai",
        description="IANA time zone in which customers see times (e.g. when their data was last synced).",
    )
    environment: Literal["development", "production", ""] = Field(
        "", description="`production` or `development` for this tenant (empty: the deployment's [hall] environment)."
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        import zoneinfo

        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (an IANA name such as Asia/Shanghai)") from None
        return value


class ConnectorSection(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str = Field(
        "", description="Connector name (a plugin that answers make_connector), e.g. `sqlbss`. Empty: no legacy system."
    )


class LegacySection(Strict):
    """How the hall keeps its copy of the tenant's legacy data (docs/sync.md)."""

    call_retention_months: int = Field(
        6,
        ge=1,
        le=60,
        description="Call records older than this many months are deleted by the daily housekeeping job (PIPL: keep personal data no longer than needed).",
    )
    reconcile_max_share: float = Field(
        0.05,
        gt=0,
        le=1,
        description="A reconciliation that would remove more than this share of a kind's rows (0.05 = 5%) refuses and tells the operator; `hall sync --reconcile --force` overrides.",
    )
    stale_after_hours: int = Field(
        24,
        ge=1,
        le=720,
        description="Customers are told their data may be out of date when the last successful sync is older than this.",
    )
    customers_look_back_minutes: int = Field(
        120,
        ge=0,
        le=10080,
        description="Each incremental customer sync (with their service numbers) also re-reads customers changed this long before the watermark, for rows the legacy system stamps late; unchanged ones are not rewritten. 0: off.",
    )
    bills_look_back_minutes: int = Field(
        120,
        ge=0,
        le=10080,
        description="The same look-back for bills (payments that turn a bill paid are often stamped late). 0: off.",
    )
    calls_look_back_minutes: int = Field(
        0,
        ge=0,
        le=10080,
        description="The same look-back for call records, where the connector can rewind their watermark (sqlbss cannot: calls are append-only).",
    )
    change_check_kinds: list[Literal["customers", "bills", "calls"]] = Field(
        ["customers", "bills"],
        description="Kinds the scheduled change reconciliation compares row by row with the legacy system, repairing what the incremental sync missed.",
    )
    change_check_every_hours: int = Field(
        24,
        ge=1,
        le=720,
        description="How often the change reconciliation runs per kind; the sync page warns when the last one is older than twice this.",
    )
    balance_cache_seconds: int = Field(
        60,
        ge=0,
        le=3600,
        description="An account balance read from the legacy system is shown again without asking it for this many seconds (core_balance, shared by every worker); 0: ask on every look-up.",
    )
    balance_timeout_seconds: float = Field(
        3,
        gt=0,
        le=30,
        description="How long a balance look-up waits for the legacy system; past it the page shows the last figure known, marked as such.",
    )


class PaymentsSection(Strict):
    """Which payment providers this tenant takes money with, and how long unpaid payments wait (docs/payments.md)."""

    providers: list[str] = Field(
        default_factory=list,
        description='Payment providers switched on for this tenant, e.g. ["alipay"]; each provider\'s settings are under [plugins.<provider>]. Empty: the hall takes no money. Payments made with a provider switched off later still show in the history.',
    )
    reconcile_after_minutes: int = Field(
        5,
        ge=1,
        le=1440,
        description="A payment still pending this many minutes after its last change is queried at the gateway by the reconciliation job (a customer who closed the browser after paying is still credited).",
    )
    expire_after_minutes: int = Field(
        120,
        ge=5,
        le=10080,
        description="A payment still unpaid this many minutes after it was created is closed at the gateway and canceled.",
    )


class TenantFile(Strict):
    """tenants/<id>/tenant.toml: one tenant."""

    tenant: TenantSection
    brand: BrandSection = Field(default_factory=BrandSection)
    connector: ConnectorSection = Field(default_factory=ConnectorSection)
    legacy: LegacySection = Field(default_factory=LegacySection)
    payments: PaymentsSection = Field(default_factory=PaymentsSection)
    sms: SmsSection = Field(default_factory=SmsSection)
    products: ProductsSection = Field(default_factory=ProductsSection)
    plugins: dict[str, dict] = Field(
        default_factory=dict, description="[plugins.<name>] overrides of the deployment's plugin settings, key by key."
    )
