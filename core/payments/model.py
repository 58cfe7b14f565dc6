"""The intent as plugins see it, its states, and the errors callers handle."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

# created → pending → succeeded → partially_refunded → refunded
#                   ↘ failed | canceled   (a late "paid" from the gateway still wins: the money was taken)
CREATED, PENDING, SUCCEEDED, FAILED, CANCELED = "created", "pending", "succeeded", "failed", "canceled"
PARTIALLY_REFUNDED, REFUNDED = "partially_refunded", "refunded"
STATES = (CREATED, PENDING, SUCCEEDED, FAILED, CANCELED, PARTIALLY_REFUNDED, REFUNDED)
OPEN = (CREATED, PENDING)  # not paid yet: can be checked out, failed, canceled
SETTLEABLE = (CREATED, PENDING, FAILED, CANCELED)  # may still become succeeded (exactly once)
PAID = (SUCCEEDED, PARTIALLY_REFUNDED, REFUNDED)  # money was taken: refundable up to amount_fen
CURRENCIES = ("CNY",)


class PaymentError(ValueError):
    """A request the payment core refuses (bad amount, provider off, wrong state); the message says why."""


class IdempotencyConflict(PaymentError):
    """The idempotency key was used before for a different payment (another amount, owner or reference)."""


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@dataclass(frozen=True)
class Intent:
    """One payment, as the payment core hands it to plugins and pages (a snapshot of its row)."""

    id: str  # the public id, also the gateway's out_trade_no
    purpose: str
    owner: str
    reference: str
    subject: str
    customer_id: str
    amount_fen: int
    currency: str
    provider: str
    channel: str
    state: str
    provider_ref: str
    refunded_fen: int
    created_at: dt.datetime
    updated_at: dt.datetime
    succeeded_at: dt.datetime | None
    fulfilled_at: dt.datetime | None
    idempotency_key: str = ""
    metadata: dict = field(
        default_factory=dict
    )  # the owner's details (JSON), e.g. which bills; in the payment.posted payload
    claims: tuple = ()  # what it pays for, held exclusively (core/payments/claims.py)

    @property
    def paid(self) -> bool:
        return self.state in PAID

    @property
    def open(self) -> bool:
        return self.state in OPEN

    @classmethod
    def from_row(cls, row: dict) -> "Intent":
        return cls(
            id=row["public_id"],
            purpose=row["purpose"],
            owner=row["owner"],
            reference=row["reference"],
            subject=row["subject"],
            customer_id=row["customer_id"],
            amount_fen=int(row["amount_fen"]),
            currency=row["currency"],
            provider=row["provider"],
            channel=row["channel"],
            state=row["state"],
            provider_ref=row["provider_ref"],
            refunded_fen=int(row["refunded_fen"]),
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            succeeded_at=row["succeeded_at"],
            fulfilled_at=row["fulfilled_at"],
            idempotency_key=row["idempotency_key"],
            metadata=_json(row.get("metadata")),
            claims=tuple(_json(row.get("claims"), list)),
        )


def _json(value, kind: type = dict):
    """A JSON column as a dict (or list) (SQLite hands back text, PostgreSQL may too)."""
    if isinstance(value, str):
        value = json.loads(value or "null")
    return value if isinstance(value, kind) else kind()
