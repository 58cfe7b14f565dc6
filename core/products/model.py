"""What plugins are handed and what they may raise: a product as read, a lifecycle call, the errors, the clock."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from core.i18n import N_


def now() -> dt.datetime:
    """The products clock (UTC). Callers look it up as ``model.now()`` so that a test's replacement is seen everywhere."""
    return dt.datetime.now(dt.timezone.utc)


@dataclass(frozen=True)
class ProductView:
    """A product as plugins see it (a snapshot of the ``core_product`` row)."""

    id: int
    product_key: str
    specification: str
    offering_code: str
    name: str
    legacy_code: str
    customer_id: str
    account: str
    number: str
    state: str
    suspend_reasons: tuple[str, ...]
    charged_by: str
    one_off_fen: int
    monthly_fee_fen: int
    deposit_fen: int
    min_spend_fen: int
    characteristics: dict[str, Any]
    source: str
    problem: str
    started_at: dt.datetime | None
    ended_at: dt.datetime | None

    @classmethod
    def of(cls, row: dict) -> "ProductView":
        return cls(
            id=row["id"],
            product_key=row["product_key"],
            specification=row["specification"],
            offering_code=row["offering_code"],
            name=row["name"],
            legacy_code=row["legacy_code"],
            customer_id=row["customer_legacy_id"],
            account=row["account_legacy_id"],
            number=row["number"],
            state=row["state"],
            suspend_reasons=tuple(r for r in (row["suspend_reasons"] or "").split(",") if r),
            charged_by=row["charged_by"],
            one_off_fen=row["one_off_fen"],
            monthly_fee_fen=row["monthly_fee_fen"],
            deposit_fen=row["deposit_fen"],
            min_spend_fen=row["min_spend_fen"],
            characteristics=dict(row["characteristics"] or {}),
            source=row["source"],
            problem=row["problem"],
            started_at=row["started_at"],
            ended_at=row["ended_at"],
        )


@dataclass(frozen=True)
class LifecycleCall:
    """One lifecycle request as the owning plugin's hook receives it.

    ``key`` is the idempotency key: use it towards the outside system (the
    RADIUS account's request id, the mail server's) so that a retry after a
    crash or a timeout does the thing once. ``attempt`` counts from 1.
    """

    key: str
    action: str  # provision | modify | suspend | resume | terminate | renew
    params: dict[str, Any] = field(default_factory=dict)
    attempt: int = 1
    order_id: int | None = None


class ProductError(Exception):
    """A refused request. ``message`` is a message id (translated where shown), ``params`` its values."""

    status = 400

    def __init__(self, message: str, **params: Any):
        super().__init__(message % params if params else message)
        self.message, self.params = message, params


class NotFound(ProductError):
    status = 404


class Conflict(ProductError):
    """Not possible in the current state, or someone else changed it meanwhile."""

    status = 409


class NotEligible(ProductError):
    """The customer cannot order this: ``reasons`` are message ids, each shown to them."""

    def __init__(self, reasons: list[tuple[str, dict]]):
        super().__init__(N_("This cannot be ordered."))
        self.reasons = reasons


class LifecycleFailed(Exception):
    """Raised by a lifecycle hook: the step did not happen; ``reason`` is shown to operators with a retry button."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason
