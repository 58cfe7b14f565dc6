"""Customers and operators: a customer's account and linked numbers, the billing accounts they see, the holder of
a number, one-time codes (``otp``), operators by name."""

from core.accounts.services import CustomerBillingAccount, billing_account, billing_accounts
from core.auth import otp
from core.auth.admin import operator_id
from core.auth.customers import customer_for_account, linked_numbers, number_holder

__all__ = [
    "CustomerBillingAccount",
    "billing_account",
    "billing_accounts",
    "customer_for_account",
    "linked_numbers",
    "number_holder",
    "operator_id",
    "otp",
]
