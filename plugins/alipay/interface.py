"""The payment-provider interface, from the payment core (core/payments/providers.py).

Until the core has landed, the agreed shapes are defined here so the provider can
be built and tested on its own; they are the same names and fields.
"""

from __future__ import annotations

try:
    from core.payments.providers import (  # noqa: F401
        Checkout, CheckoutRequest, GatewayResult, InvalidNotification, ProviderUnavailable,
    )
except ImportError:  # pragma: no cover - only while core/payments is not there yet
    from dataclasses import dataclass
    from datetime import datetime

    @dataclass(frozen=True)
    class CheckoutRequest:
        intent_id: str
        amount_fen: int
        currency: str
        subject: str
        channel: str
        return_url: str
        notify_url: str
        expires_at: datetime | None

    @dataclass(frozen=True)
    class Checkout:
        redirect_url: str
        form_html: str = ""

    @dataclass(frozen=True)
    class GatewayResult:
        intent_id: str
        provider_ref: str
        status: str
        amount_fen: int | None
        raw: dict

    class InvalidNotification(Exception):
        pass

    class ProviderUnavailable(ConnectionError):
        pass
