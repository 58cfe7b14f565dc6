"""Opening a dial-up account through the public API (TMF622 ``POST /productOrder``, the core's resource): an ``add`` of
a dial-up package with the web form's fields as characteristics (``username``, ``password``, ``password_again``),
through the same service (:func:`opening.open_account`: same checks, same order and payment step)."""

from __future__ import annotations

from core.api.payments import customer_legacy_id
from core.api.tmf import OrderRequest, ProductOrderKind
from core.api.web import FieldErrors

from . import SPEC, opening


async def open_account(order: OrderRequest) -> dict:
    form = order.form
    username = form.value("username").lower()
    try:
        return await opening.open_account(
            order.hall,
            order.tenant,
            customer_id=await customer_legacy_id(order.request),
            account_id=order.account_id,
            username=username,
            password=form.raw("password"),
            again=form.raw("password_again"),
            offering=order.offering.code,
            token=order.token,
            title=order.gettext()("Dial-up account %(username)s") % {"username": username},
            language=order.language,
        )
    except opening.OpenErrors as exc:  # the page's own error class: the API's field errors
        problems = FieldErrors()
        for name, (message, params) in exc.errors.items():
            problems.add(name, message, **params)
        raise problems from None


KINDS = [ProductOrderKind("add", SPEC, open_account)]
