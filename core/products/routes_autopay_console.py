"""Console: an operator ends a customer's automatic payment (代扣), e.g. when the customer asks on the hotline.

The same cancellation as the customer's own (the provider is told first, then one conditional update), with
the operator's reason in the audit entry; the agreement's end reason reads *Cancelled by an operator*.
"""

from __future__ import annotations

import logging

from litestar import Request, Response, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect

from core.products.access import HANDLE
from core.payments.agreements import cancel_agreement
from core.payments.providers import ProviderUnavailable
from core.payments.tables import Agreement
from core.web.dependencies import AuditorDep, HallDep
from core.web.forms import Form
from core.web.urls import url_for

log = logging.getLogger("hall.products")
REASON_MAX = 200


def _back(request: Request, customer: str, outcome: str) -> Response:
    target = url_for(request, "console:customer", legacy_id=customer)
    return Redirect(path=f"{target}?autopay={outcome}#autopay", status_code=303)


@post(
    "/console/agreements/{agreement_id:str}/cancel",
    opt={"auth": "operator", "permission": HANDLE},
    name="console:agreement.cancel",
)
async def cancel_by_operator(
    request: Request, agreement_id: FromPath[str], hall: HallDep, auditor: AuditorDep
) -> Response:
    row = await Agreement.select(Agreement.customer_id).where(Agreement.public_id == agreement_id).first()
    if row is None:  # scoped to the tenant: another tenant's agreement is not found either
        raise NotFoundException()
    customer = row["customer_id"]
    why = " ".join((await Form.from_request(request)).value("reason").split())[:REASON_MAX]
    if not why:
        return _back(request, customer, "reason")
    try:
        done = await cancel_agreement(
            hall, agreement_id, actor=auditor.actor, actor_kind="operator", reason="operator", note=why
        )
    except ProviderUnavailable as exc:
        log.warning("automatic payment: an operator's cancellation of %s failed: %s", agreement_id, exc)
        return _back(request, customer, "unavailable")
    return _back(request, customer, "cancelled" if done else "ended")


HANDLERS = [cancel_by_operator]
