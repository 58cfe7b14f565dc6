"""[plugins.billmail]: masking in the CSV, retries, the sender's connections and claim size, the public address for links."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator


class BillmailSettings(BaseModel):
    """Settings of the billmail plugin: the monthly bill e-mail (HTML summary, call records as CSV) to subscribed numbers."""

    model_config = ConfigDict(extra="forbid")

    mask_called_numbers: bool = Field(
        True,
        description="Mask the called numbers in the attached CSV (139****5678). "
        "Set false only where the tenant's rules allow full numbers in e-mail.",
    )
    public_url: str = Field(
        "",
        description="Absolute address of the tenant's hall for links in the mail (unsubscribe), "
        "e.g. https://www.example.com/t/jiangnan. Empty: http://<first host of the tenant>.",
    )
    max_attempts: int = Field(
        5,
        ge=1,
        le=50,
        description="Sends tried per mail when the SMTP server refuses it or cannot be "
        "reached; then it stays failed for an operator to resend.",
    )
    retry_minutes: int = Field(
        10,
        ge=1,
        le=1440,
        description="Wait before the first retry of a failed mail; doubled after each further failure.",
    )
    connections: int = Field(4, ge=1, le=32, description="Persistent SMTP connections a batch is sent over.")
    claim_chunk: int = Field(
        50,
        ge=1,
        le=1000,
        description="Mails claimed (marked sending) at a time: the most a crash can leave "
        "uncertain is about twice this.",
    )
    lease_seconds: int = Field(
        120,
        ge=10,
        le=3600,
        description="A batch's sender renews its lease this often at least; a sender "
        "that stopped renewing for this long counts as dead and another may take over.",
    )
    max_calls: int = Field(
        5000,
        ge=0,
        le=100000,
        description="Most call records attached per mail (the newest are dropped past it, and the mail says so).",
    )

    @field_validator("public_url")
    @classmethod
    def _absolute(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")
