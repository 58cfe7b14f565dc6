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


# What every mirrored line carries from its service number, for a batch of products in one statement (the
# product's number and customer are those of its key).
_STAMP_MIRRORED = (
    "UPDATE core_product SET"
    " mirrored_at = (SELECT sn.synced_at FROM core_service_number AS sn WHERE sn.tenant = {tenant}"
    "  AND sn.number = core_product.number AND sn.customer_legacy_id = core_product.customer_legacy_id),"
    " account_legacy_id = COALESCE((SELECT CASE WHEN COALESCE(sn.account_legacy_id, '') = '' THEN sn.number"
    "  ELSE sn.account_legacy_id END FROM core_service_number AS sn WHERE sn.tenant = {tenant}"
    "  AND sn.number = core_product.number AND sn.customer_legacy_id = core_product.customer_legacy_id),"
    "  core_product.account_legacy_id)"
    " WHERE tenant = {tenant} AND id IN (%s)"
)
_LINES_TO_MIRROR_OF_MANY = (
    "SELECT sn.number, sn.customer_legacy_id FROM core_service_number AS sn"
    " LEFT JOIN core_product AS p ON p.tenant = {tenant}"
    "  AND p.product_key = 'line:' || sn.number || ':' || sn.customer_legacy_id"
    " WHERE sn.tenant = {tenant} AND sn.number IN (%s)"
    "  AND (p.id IS NULL OR p.mirrored_at IS NULL OR p.mirrored_at <> sn.synced_at)"
)


def _slots(count: int) -> str:
    return ", ".join(["{}"] * count)


async def stamp_mirrored(product_ids: list[int]) -> None:
    """Copy ``synced_at`` and the account of each product's service number onto it (one statement)."""
    if product_ids:
        await fetch_scoped(_STAMP_MIRRORED % _slots(len(product_ids)), *product_ids)


async def lines_to_mirror_of(numbers: list[str]) -> list[dict]:
    """Of these numbers, those whose line product is missing or older than their sync (one statement)."""
    if not numbers:
        return []
    return await fetch_scoped(_LINES_TO_MIRROR_OF_MANY % _slots(len(numbers)), *numbers)


async def lines_to_mirror(limit: int) -> list[dict]:
    return await fetch_scoped(_LINES_TO_MIRROR, limit)
