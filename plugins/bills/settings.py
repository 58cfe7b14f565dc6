"""[plugins.bills]: how many months are shown, called-number masking, and step-up before call records."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class BillsSettings(BaseModel):
    """Settings of the bills plugin: bills and call records of the customer's linked numbers (docs/bills.md)."""

    model_config = ConfigDict(extra="forbid")

    months_shown: int = Field(
        12,
        ge=1,
        le=24,
        description="Bills shown per service number: the latest N months; "
        "call records can be read for the same months.",
    )
    mask_called_numbers: bool = Field(
        True, description="Show called numbers partly masked (139****5678) on pages and in CSV and PDF exports."
    )
    calls_step_up: bool = Field(
        False,
        description="Ask for a fresh one-time code (SMS or e-mail on file) before call records are shown or exported.",
    )
    step_up_minutes: int = Field(
        15,
        ge=1,
        le=720,
        description="How long a verified step-up code unlocks call records for the session, in minutes.",
    )
    calls_per_page: int = Field(50, ge=10, le=100, description="Call records per page.")
    export_max_rows: int = Field(20000, ge=100, le=100000, description="Most call records one CSV or PDF export holds.")
