"""[plugins.mailbox]: the tenant's mail domain, where the hall writes Dovecot's user database, the quota products,
the address rules and how long a stopped mailbox is kept (docs/mailbox.md)."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.api.workorders import WorkOrderDeadlines

DOMAIN = re.compile(r"^(?=.{3,190}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}$")


class QuotaProduct(BaseModel):
    """One mailbox offering: its quota and fees (an offering of the ``mailbox`` specification)."""

    model_config = ConfigDict(extra="forbid")
    code: str = Field(..., pattern=r"^[a-z0-9][a-z0-9_.-]{0,40}$", description="Offering code, unique in the tenant.")
    name: dict[str, str] | str = Field(..., description="Its name, one text or {zh_CN = …, en = …}.")
    quota_mb: int = Field(..., ge=1, le=1_048_576, description="Mailbox size in MiB (Dovecot's quota_rule storage).")
    monthly_fee_fen: int = Field(0, ge=0, description="Monthly fee in fen, charged by the hall's charge run.")
    one_off_fen: int = Field(0, ge=0, description="Opening fee in fen, paid online before the application is checked.")


class MailboxSettings(WorkOrderDeadlines):
    """Settings of the mailbox plugin (电子邮箱): mailboxes on the deployer's Dovecot."""

    model_config = ConfigDict(extra="forbid")
    WORKORDER_TYPES = ("apply",)

    domain: str = Field(
        "", description="The tenant's mail domain (addresses are local@domain); required to sell mailboxes."
    )
    users_dir: str = Field(
        "var/mail/users",
        description="Directory holding Dovecot's passwd-files, one `<domain>.passwd` per tenant, written by the hall "
        "(atomic replace); Dovecot's passdb and userdb read `<users_dir>/%d.passwd`. Must exist: a missing "
        "directory (an unmounted share) fails provisioning, which is then retried.",
    )
    mail_root: str = Field(
        "var/mail/boxes",
        description="Directory under which Dovecot keeps the mailboxes (`<mail_root>/<domain>/<local part>`).",
    )
    mail_uid: int = Field(
        0,
        ge=0,
        description="System uid the mail files belong to (the userdb uid field); 0: the hall's own "
        "(nobody's when the hall runs as root, as Dovecot refuses uid 0).",
    )
    mail_gid: int = Field(0, ge=0, description="System gid of the mail files (the userdb gid field); 0: as mail_uid.")
    imap_host: str = Field("127.0.0.1", description="IMAP server shown to customers, and checked when provisioning.")
    imap_port: int = Field(
        143, ge=1, le=65535, description="IMAP port shown to customers, and checked when provisioning."
    )
    check_server: bool = Field(
        True, description="Refuse to provision (and retry later) while nothing answers on imap_host:imap_port."
    )
    retention_days: int = Field(
        30, ge=0, le=3650, description="Days a stopped mailbox's mail is kept before the job removes it."
    )
    department: str = Field("", max_length=32, description="Department code that approves applications.")
    reserved: list[str] = Field(
        default_factory=lambda: [
            "admin",
            "postmaster",
            "abuse",
            "root",
            "webmaster",
            "hostmaster",
            "noreply",
            "support",
        ],
        description="Local parts nobody may apply for.",
    )
    min_length: int = Field(3, ge=1, le=64, description="Shortest local part allowed.")
    renew_months: list[int] = Field(
        default_factory=lambda: [3, 6, 12], description="Months of fees a customer may pay in advance online (续费)."
    )
    charge_from: str = Field(
        "",
        pattern=r"^(|bss|balance)$",
        description="How the charge run settles the monthly fee: `balance` (debited from the paying number's prepaid "
        "balance, with arrears, suspension and resumption), `bss` (posted to the BSS's bill), \"\" (the tenant's "
        "[products.charges] settle).",
    )
    products: list[QuotaProduct] = Field(default_factory=list, description="The quota products this tenant sells.")

    @field_validator("domain")
    @classmethod
    def _domain(cls, value: str) -> str:
        value = value.strip().lower()
        if value and not DOMAIN.match(value):
            raise ValueError("must be a domain name such as mail.example.cn")
        return value

    @field_validator("reserved")
    @classmethod
    def _lower(cls, value: list[str]) -> list[str]:
        return [v.strip().lower() for v in value if v.strip()]
