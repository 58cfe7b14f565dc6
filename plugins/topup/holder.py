"""Whose number is it: the holder of a service number of this tenant, shown to a payer only as a masked name and a status.

Synced numbers are read from the hall; a number not synced yet is asked of the
legacy system live and stored, as sign-up does (``number_holder``). A number of
another tenant, or of no tenant, is simply not found: the payer cannot tell the
two apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.api import N_, mask_name
from core.api.identity import number_holder
from core.api.web import FieldErrors

NUMBER = re.compile(r"[0-9A-Z]{3,32}")
SEPARATORS = re.compile(r"[\s\-]+")
CLOSED = "closed"

UNKNOWN = N_("We cannot find the number %(number)s. Check it and try again.")
NOT_A_NUMBER = N_("Enter a service number: digits, and letters for a broadband account (e.g. 13912345678).")
IS_CLOSED = N_("The number %(number)s is closed, so it cannot be topped up.")


@dataclass(frozen=True)
class Holder:
    """What a payer may know about a number: its masked holder name and status, and where the money goes."""

    number: str
    account: str  # the BillingAccount legacy id paying for the number; the number itself without an account tier
    customer_id: str
    masked_name: str
    status: str  # active | suspended | closed (the number's, or closed when the customer is)
    kind: str


def normalise(text: str) -> str | None:
    """``139 1234-5678`` → ``13912345678``; broadband accounts in capitals; None when it cannot be a number."""
    number = SEPARATORS.sub("", str(text or "")).upper()
    return number if number.isascii() and NUMBER.fullmatch(number) else None


def parse_number(text: str, field: str = "number") -> str:
    """The number typed, normalised; FieldErrors when it is empty or cannot be a number."""
    problems = FieldErrors()
    problems.require(**{field: str(text or "").strip()})
    problems.raise_if_any()
    number = normalise(text)
    if number is None:
        problems.add(field, NOT_A_NUMBER)
        problems.raise_if_any()
    return number


async def find_holder(hall, tenant, number: str) -> Holder | None:
    """The holder of ``number`` in the current tenant, or None when the tenant has no such number."""
    found = await number_holder(hall, tenant, number)
    if found is None:
        return None
    line, customer = found
    status = CLOSED if customer.get("status") == CLOSED else str(line.get("status") or "active")
    return Holder(
        number=line["number"],
        account=line.get("account_legacy_id") or line["number"],
        customer_id=customer["legacy_id"],
        masked_name=mask_name(customer.get("name") or ""),
        status=status,
        kind=str(line.get("kind") or "phone"),
    )


async def payable_holder(hall, tenant, number: str, field: str = "number") -> Holder:
    """The holder of a number that may be topped up; FieldErrors (same words for every unknown number) otherwise."""
    holder = await find_holder(hall, tenant, number)
    problems = FieldErrors()
    if holder is None:
        problems.add(field, UNKNOWN, number=number)
    elif holder.status == CLOSED:
        problems.add(field, IS_CLOSED, number=number)
    problems.raise_if_any()
    return holder
