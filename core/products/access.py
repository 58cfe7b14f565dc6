"""The products core's permissions: seeing orders and products, and carrying orders out."""

from __future__ import annotations

from core.i18n import N_

VIEW = "core.products.view"
HANDLE = "core.products.handle"


def permissions() -> list:
    from core.auth.permissions import Permission

    return [
        Permission(VIEW, N_("Products: see product orders and customers' products")),
        Permission(HANDLE, N_("Products: carry out orders, retry failed steps, give orders up")),
    ]


def may_handle(principal) -> bool:
    return principal.kind == "super" or HANDLE in principal.permissions
