"""Customers and operators: a customer's account and linked numbers, one-time codes (``otp``), operators by name."""

from core.auth import otp
from core.auth.admin import operator_id
from core.auth.customers import customer_for_account, linked_numbers

__all__ = ["customer_for_account", "linked_numbers", "operator_id", "otp"]
