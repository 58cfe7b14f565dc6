"""The products core's hand-written SQL (the only place for it in core/products)."""

from __future__ import annotations

from core.db.engine import fetch_scoped

# Synced service numbers whose line product is missing or mirrors an older sync of the row (set-based, so
# the mirroring job needs no watermark of its own and catches up after any outage). The product's key is
# line:<number>:<customer>, so a number that moved to another customer gets a new product.
_LINES_TO_MIRROR = (
    "SELECT sn.number, sn.customer_legacy_id FROM core_service_number AS sn"
    " LEFT JOIN core_product AS p ON p.tenant = {tenant}"
    "  AND p.product_key = 'line:' || sn.number || ':' || sn.customer_legacy_id"
    " WHERE sn.tenant = {tenant} AND (p.id IS NULL OR p.mirrored_at IS NULL OR p.mirrored_at <> sn.synced_at)"
    " ORDER BY sn.number LIMIT {}"
)
_LINES_TO_MIRROR_OF = (
    "SELECT sn.number, sn.customer_legacy_id FROM core_service_number AS sn"
    " LEFT JOIN core_product AS p ON p.tenant = {tenant}"
    "  AND p.product_key = 'line:' || sn.number || ':' || sn.customer_legacy_id"
    " WHERE sn.tenant = {tenant} AND sn.number = {}"
    "  AND (p.id IS NULL OR p.mirrored_at IS NULL OR p.mirrored_at <> sn.synced_at)"
)


async def lines_to_mirror(limit: int) -> list[dict]:
    return await fetch_scoped(_LINES_TO_MIRROR, limit)


async def line_to_mirror(number: str) -> list[dict]:
    return await fetch_scoped(_LINES_TO_MIRROR_OF, number)
