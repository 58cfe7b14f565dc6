"""The payment-provider interface this plugin implements (owned by the payment core: core/payments/providers.py)."""

from core.payments.providers import (  # noqa: F401
    Checkout, CheckoutRequest, GatewayResult, InvalidNotification, PaymentProvider, ProviderUnavailable,
)
