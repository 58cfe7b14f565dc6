"""Who is buying: the logged-in customer's e-mail and phone on file, and the language they shop in."""

from __future__ import annotations

from litestar import Request

from core.api.identity import customer_for_account
from core.api.web import info


async def buyer_contact(request: Request) -> dict[str, str]:
    """Where the order's news goes (``Order.contact_email``, ``contact_phone``, ``language``)."""
    ri = info(request)
    found = await customer_for_account(ri.customer.id) if ri.customer is not None else None
    customer = found[1] if found else {}
    return {
        "contact_email": customer.get("email") or "",
        "contact_phone": customer.get("phone") or "",
        "language": ri.language,
    }
