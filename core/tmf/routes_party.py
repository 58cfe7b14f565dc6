"""TMF632 individual and TMF629 customer: the signed-in customer themself (ID number only masked)."""

from __future__ import annotations

from litestar import Request, Response, get

from core.auth.tables import Customer
from core.tmf import models, reads
from core.tmf.caller import api_caller
from core.tmf.errors_spec import errors
from core.tmf.shape import Fields, href, one

READ = {"scope": "customer.read"}


async def _me(request: Request) -> tuple[reads.Holdings, dict]:
    h = await reads.holdings(api_caller(request).customer)
    row = await Customer.select().where(Customer.legacy_id == h.legacy_id).first()
    return h, row or {}


@get("/individual/me", opt=READ, name="api:individual", responses=errors())
async def individual(request: Request, fields: Fields = None) -> Response[models.Individual]:
    """The person behind the token (TMF632 Individual)."""
    h, row = await _me(request)
    media = [{"mediumType": "phone", "characteristic": {"phoneNumber": n}} for n in h.numbers]
    if row.get("email"):
        media.append({"mediumType": "email", "characteristic": {"emailAddress": row["email"]}})
    item = {
        "id": h.legacy_id,
        "href": href(request, "individual", "me"),
        "@type": "Individual",
        "fullName": h.name,
        "status": "validated",
        "individualIdentification": [{"identificationType": "idCard", "identificationId": row.get("id_masked", "")}],
        "contactMedium": media,
    }
    return one(item, fields)


@get("/customer/me", opt=READ, name="api:customer", responses=errors())
async def customer(request: Request, fields: Fields = None) -> Response[models.Customer]:
    """The customer record (TMF629) with its billing accounts."""
    h, row = await _me(request)
    item = {
        "id": h.legacy_id,
        "href": href(request, "customer", "me"),
        "@type": "Customer",
        "name": h.name,
        "status": row.get("status", "active"),
        "engagedParty": {"id": h.legacy_id, "href": href(request, "individual", "me")},
        "account": [{"id": a.legacy_id, "name": a.name or a.legacy_id} for a in h.accounts],
    }
    return one(item, fields)


HANDLERS = [individual, customer]
