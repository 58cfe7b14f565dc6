"""[plugins.billpay]: which payment provider bills are paid with, and the invoice issuer shown on the PDF."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class BillpaySettings(BaseModel):
    """Settings of the billpay plugin: the payment provider for bills, the invoice issuer and the reconciliation report."""

    model_config = ConfigDict(extra="forbid")
    provider: str = Field("", description="Payment provider bills are paid with (one of [payments] providers); empty: the first one listed.")
    invoice_issuer: str = Field("", description="Seller name printed on invoices; empty: the tenant's name.")
    invoice_issuer_tax_number: str = Field("", description="Seller tax number printed on invoices.")
    writeback_late_minutes: int = Field(60, ge=1, le=10080, description="A payment's write-back to the legacy system still waiting after this long is listed in the reconciliation report.")
