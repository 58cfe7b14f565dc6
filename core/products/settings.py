"""A tenant's ``[products]`` section (core.config.products.ProductsSection); the defaults when it has none."""

from __future__ import annotations

from core.config.products import ProductsSection

DEFAULTS = ProductsSection()


def products_settings(hall, tenant) -> ProductsSection:
    raw = hall.settings.tenants.get(tenant.id) if tenant is not None else None
    return getattr(getattr(raw, "data", None), "products", None) or DEFAULTS
