"""Payments, for payment-provider plugins (the ``PaymentProvider`` they return from ``make_payment_provider``)
and for plugins that take money (intents, checkout, settling, refunds, their tables and states).

``refund(hall, intent_id, amount_fen, reason=…, operator=…, key="<plugin>-<what>:<id>")`` refunds at most once per
key and tenant (two clicks, two operators, a retry after a crash: the second call returns the first refund);
``refund_id_for(key)`` is the refund id such a refund gets, for a plugin that stores it before asking."""

from core.payments.bss_reconcile import KINDS as BSS_KINDS
from core.payments.bss_reconcile import BssComparison, compare_with_bss, hall_reference
from core.payments.gateway_bills import KINDS as BILL_KINDS
from core.payments.gateway_bills import BillComparison, compare_with_gateway_bills
from core.payments import PaymentError, cancel, create_intent, get_intent, intents_of, refund, start_checkout
from core.payments.claims import ClaimConflict
from core.payments.model import (
    CANCELED,
    CREATED,
    FAILED,
    OPEN,
    PAID,
    PARTIALLY_REFUNDED,
    PENDING,
    REFUNDED,
    SUCCEEDED,
    Intent,
    now,
)
from core.payments.agreements import (
    active_agreement,
    agreement_providers,
    agreements_of,
    cancel_agreement,
)
from core.payments.agreement_charge import charge_agreement
from core.payments.providers import (
    AgreementNotice,
    AgreementRefused,
    AgreementRequest,
    AgreementView,
    BillRow,
    Checkout,
    CheckoutRequest,
    GatewayResult,
    InvalidNotification,
    PaymentProvider,
    ProviderUnavailable,
    RefundNotice,
)
from core.payments.model import IdempotencyConflict
from core.payments.refund_service import refund_by_operator
from core.payments.refunds import refund_id_for
from core.payments.registry import enabled_providers, payment_settings, provider_for
from core.payments.settle import posted_event_id, settle
from core.payments.tables import PaymentIntent, Refund
from core.payments.routes_customer import auto_submit_form, checkout_response, customer_legacy_id, refresh_from_gateway

__all__ = [
    "AgreementNotice",
    "AgreementRefused",
    "AgreementRequest",
    "AgreementView",
    "active_agreement",
    "agreement_providers",
    "agreements_of",
    "cancel_agreement",
    "charge_agreement",
    "BILL_KINDS",
    "BillComparison",
    "BillRow",
    "compare_with_gateway_bills",
    "BSS_KINDS",
    "BssComparison",
    "compare_with_bss",
    "hall_reference",
    "CANCELED",
    "CREATED",
    "FAILED",
    "OPEN",
    "PAID",
    "PARTIALLY_REFUNDED",
    "PENDING",
    "REFUNDED",
    "SUCCEEDED",
    "Checkout",
    "CheckoutRequest",
    "ClaimConflict",
    "GatewayResult",
    "IdempotencyConflict",
    "Intent",
    "InvalidNotification",
    "PaymentError",
    "PaymentIntent",
    "PaymentProvider",
    "ProviderUnavailable",
    "Refund",
    "RefundNotice",
    "auto_submit_form",
    "cancel",
    "checkout_response",
    "create_intent",
    "customer_legacy_id",
    "enabled_providers",
    "payment_settings",
    "get_intent",
    "intents_of",
    "now",
    "posted_event_id",
    "provider_for",
    "refresh_from_gateway",
    "refund",
    "refund_by_operator",
    "refund_id_for",
    "settle",
    "start_checkout",
]
