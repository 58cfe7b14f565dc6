"""The payment-provider interface: what the core asks of a gateway (Alipay today, WeChat Pay next).

A provider is built per tenant by the plugin that answers the hook
``make_payment_provider`` (see core/hookspecs.py). It only talks to its
gateway and checks what the gateway says; it never writes to the database.
The core (core/payments/service.py) owns the money flow: intents, the state
machine, the amount check, the fulfilment hook and the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

CHANNELS = ("pc", "wap", "inapp")  # a desktop browser, a phone browser, a payment app's own browser (WeChat, Alipay)
PROVIDER_CHANNELS = ("pc", "wap")  # what a provider takes when it declares no ``channels``
GATEWAY_STATUSES = ("pending", "succeeded", "failed", "canceled", "unknown")


@dataclass(frozen=True)
class CheckoutRequest:
    intent_id: str  # the hall's public intent id, used as out_trade_no; unique per tenant
    amount_fen: int
    currency: str  # "CNY"
    subject: str  # shown at the gateway
    channel: str  # "pc" | "wap" | "inapp" (only to a provider that lists it in ``channels``)
    return_url: str  # absolute: where the customer's browser comes back
    notify_url: str  # absolute: where the gateway POSTs asynchronous notifications
    expires_at: datetime | None = None
    client_ip: str = ""  # the payer's IP address, for gateways that want it (WeChat Pay H5's payer_client_ip)
    payer_id: str = ""  # who pays, as the gateway knows them (WeChat's openid), once ``identify_payer`` said so
    payer_url: str = ""  # absolute: where the gateway sends the browser back to identify the payer (inapp)


@dataclass(frozen=True)
class Checkout:
    redirect_url: str  # the browser goes here (GET); or
    form_html: str = ""  # an auto-submitting form, when the gateway wants a POST; or
    qr_code: str = ""  # a code the customer scans with a phone (WeChat Pay Native's code_url): the core shows it


@dataclass(frozen=True)
class GatewayResult:
    """What the gateway says about one trade, from a verified notification or a query."""

    intent_id: str  # out_trade_no
    provider_ref: str  # trade_no at the gateway ("" if none yet)
    status: str  # "pending" | "succeeded" | "failed" | "canceled" (closed) | "unknown" (no such trade)
    amount_fen: int | None
    raw: dict = field(default_factory=dict)  # the verified parameters, for the ledger


@dataclass(frozen=True)
class RefundNotice:
    """A verified notification about a refund (WeChat Pay sends them): the core asks the gateway about it again and records it."""

    intent_id: str  # out_trade_no
    refund_id: str  # the core's refund id (the gateway's out_refund_no)
    status: str  # "succeeded" | "failed" | "pending"
    amount_fen: int | None
    raw: dict = field(default_factory=dict)


@dataclass(frozen=True)
class BillRow:
    """One line of a gateway's daily bill (Alipay 对账单, WeChat Pay 交易账单), in the shape every provider returns."""

    intent_id: str  # out_trade_no: the hall's public intent id (or whatever the merchant's other systems used)
    provider_ref: str  # the gateway's trade number
    kind: str  # "payment" | "refund"
    amount_fen: int  # the payment's amount, or the refund's (positive)
    refund_id: str = ""  # a refund's out_refund_no (the core's refund id)
    at: datetime | None = None  # when the gateway booked it


@dataclass(frozen=True)
class AgreementRequest:
    """Start signing an automatic-payment agreement (代扣协议) at the provider (``sign_agreement``)."""

    agreement_id: str  # the hall's public id: the provider's external agreement number; unique per tenant
    customer_id: str
    account: str  # the billing account the agreement pays for
    channel: str  # "pc" | "wap"
    return_url: str  # absolute: where the customer's browser comes back after signing
    notify_url: str  # absolute: where the provider POSTs the signed / cancelled notification
    subject: str = ""  # what is paid, shown on the signing page


@dataclass(frozen=True)
class AgreementView:
    """A signed agreement as a provider's ``charge_agreement`` / ``cancel_agreement`` see it."""

    agreement_id: str  # the hall's public id (external agreement number)
    agreement_no: str  # the provider's number
    customer_id: str
    account: str
    notify_url: str = ""  # absolute: where the provider POSTs the charge's trade notification


@dataclass(frozen=True)
class AgreementNotice:
    """A verified notification about an agreement: ``status`` "active" (signed) or "cancelled" (unsigned at the provider)."""

    agreement_id: str  # the hall's public id
    agreement_no: str
    status: str
    payer: str = ""  # who signed, as the provider knows them
    raw: dict = field(default_factory=dict)


class AgreementRefused(Exception):
    """The provider refused an agreement call (a charge: not enough money, agreement ended): retrying will not help."""


class InvalidNotification(Exception):
    """Signature, app id or seller wrong, or the message is malformed: nothing may change."""


class ProviderUnavailable(ConnectionError):
    """The gateway cannot be reached or answered with a system error: retry later."""


@runtime_checkable
class PaymentProvider(Protocol):
    id: str  # "alipay": stored on every intent, forever
    label: str  # a message id, translated where shown
    # Optional ``form_origins``: URLs (their origins count) the customer's browser is sent to by a form
    # (the pay button's redirect, an auto-submit form); the hall's Content-Security-Policy form-action allows them.
    # Optional ``channels``: the CHANNELS it takes (default PROVIDER_CHANNELS). A payer inside a payment app's own
    # browser ("inapp") is sent to a provider without it as "wap" (Alipay's phone page works inside Alipay).

    # Optional ``identify_payer(query: dict[str, str]) -> str``: for an "inapp" checkout that needs the payer's
    # identity at the gateway first (WeChat Pay JSAPI needs the openid). ``create_checkout`` without
    # ``request.payer_id`` then answers with a redirect to the gateway's sign-in, which comes back to
    # ``request.payer_url`` (GET /pay/payer/...); the core hands that query here and calls ``create_checkout``
    # again with the ``payer_id`` returned. Raises ProviderUnavailable, or ValueError for a bad or used code.

    # Optional automatic payment (代扣, core/payments/agreements.py); a provider without ``sign_agreement`` is not
    # offered for it. All four together:
    # ``sign_agreement(request: AgreementRequest) -> Checkout``: where the customer's browser signs (a redirect);
    # ``verify_agreement_notification(form: dict[str, str]) -> AgreementNotice``: the provider's signed / cancelled
    #   notification (POST /pay/agreement-notify/<provider>), verified like a payment notification; raises
    #   InvalidNotification; answered with ``notification_response``;
    # ``charge_agreement(agreement: AgreementView, amount_fen: int, key: str, subject: str) -> GatewayResult``:
    #   take ``amount_fen`` without the customer, as the trade ``key`` (the intent's public id, the out_trade_no):
    #   the same key twice must never take the money twice - a repeat answers the first trade's result. Returns
    #   "succeeded", "pending" (the provider is still deciding: its trade notification or ``query`` settles it) or
    #   raises AgreementRefused (no money taken) / ProviderUnavailable (not known whether: asked again by ``query``);
    # ``cancel_agreement(agreement: AgreementView) -> None``: end it at the provider (one already ended is not an error).

    async def create_checkout(self, request: CheckoutRequest) -> Checkout: ...

    async def verify_notification(self, form: dict[str, str]) -> GatewayResult:
        """Check a notification's signature and parties; raise InvalidNotification. Never mutates ``form``."""

    # Optional ``verify_request(body: bytes, headers: dict[str, str]) -> GatewayResult | RefundNotice``: for a
    # gateway that posts JSON and signs it in headers (WeChat Pay v3); when present, the core passes the raw body
    # and the headers (names in lower case) instead of a form. Raises InvalidNotification; never mutates them.

    # Optional ``daily_bill(day: date) -> list[BillRow]``: every payment and refund the gateway booked on ``day``
    # (the gateway's own calendar day, Beijing time for Alipay and WeChat Pay), downloaded and verified; raises
    # ProviderUnavailable when the bill cannot be had (not ready yet, unreachable). The reconciliation compares it
    # with the hall (core/payments/gateway_bills.py); a provider without it is checked by ``query`` alone.

    def notification_response(self, handled: bool) -> tuple[int, str, str]:
        """(status, content type, body) the gateway expects: Alipay's "success" / "fail"."""

    async def query(self, intent_id: str) -> GatewayResult: ...

    async def refund(self, intent_id: str, refund_id: str, amount_fen: int, reason: str) -> str:
        """Refund part or all of a paid trade; returns the gateway's refund ref. Idempotent by ``refund_id``."""

    async def close(self, intent_id: str) -> None:
        """Close an unpaid trade so it can no longer be paid (a trade the gateway never saw is not an error)."""
