"""The payment core: intents in integer fen, one state machine, providers behind one interface (docs/payments.md).

A plugin takes money with :func:`create_intent` and :func:`core.payments.routes_customer.checkout_response`,
and fulfils it in its ``payment_succeeded`` hook, which the core calls exactly once.
"""

from core.payments.intents import cancel, create_intent, get_intent, intents_of, start_checkout
from core.payments.model import STATES, IdempotencyConflict, Intent, PaymentError
from core.payments.providers import (
    Checkout,
    CheckoutRequest,
    GatewayResult,
    InvalidNotification,
    PaymentProvider,
    ProviderUnavailable,
    RefundNotice,
)
from core.payments.refunds import refund
from core.payments.settle import Outcome, settle

__all__ = [
    "STATES",
    "Checkout",
    "CheckoutRequest",
    "GatewayResult",
    "IdempotencyConflict",
    "Intent",
    "InvalidNotification",
    "Outcome",
    "PaymentError",
    "PaymentProvider",
    "ProviderUnavailable",
    "RefundNotice",
    "cancel",
    "create_intent",
    "get_intent",
    "intents_of",
    "refund",
    "settle",
    "start_checkout",
]
