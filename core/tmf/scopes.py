"""The scopes a client may be given, and which client kind may hold which."""

from __future__ import annotations

from core.i18n import N_

SCOPES = {
    "customer.read": N_("Read the signed-in customer's bills, usage, products, orders, payments and tickets"),
    "customer.write": N_("Open tickets, place orders and start payments for the signed-in customer"),
    "catalog.read": N_("Read the product catalog"),
    "topup": N_("Top up any number"),
    "kiosk": N_("Report a self-service terminal's heartbeat"),
    "events": N_("Register listeners for bill, payment, ticket and order events"),
}
BY_KIND = {
    "app": ("customer.read", "customer.write", "catalog.read"),
    "partner": ("catalog.read", "topup", "events"),
    "kiosk": ("catalog.read", "topup", "kiosk"),
}


def allowed(kind: str, wanted: list[str]) -> list[str]:
    """The scopes of ``wanted`` a client of ``kind`` may hold, in the catalog's order."""
    return [s for s in BY_KIND.get(kind, ()) if s in wanted]
