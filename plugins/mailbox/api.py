"""A mailbox application through the public API (TMF622 ``POST /productOrder``, the core's resource): an ``add`` of a
mailbox offering with the web form's fields as characteristics (``local_part``, ``number``, ``password``,
``password2``), through the same service (:func:`services.apply`: same checks, same order and approval)."""

from __future__ import annotations

from core.api.tmf import OrderRequest, ProductOrderKind

from . import services


async def apply(order: OrderRequest) -> dict:
    form = order.form
    values = {name: form.value(name) for name in ("local_part", "number")}
    values.update(offering=order.offering.code, password=form.raw("password"), password2=form.raw("password2"))
    return await services.apply(
        order.hall,
        order.tenant,
        order.tenant.plugin_settings("mailbox"),
        account_id=order.account_id,
        values=values,
        token=order.token,
        title=order.gettext()("Mailbox %(address)s"),
        language=order.language,
    )


KINDS = [ProductOrderKind("add", "mailbox", apply)]
