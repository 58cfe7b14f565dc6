"""May this customer order this offering (for this product)? Each refusal is a message the customer reads.

Structural checks always apply (the offering is sold, fits the product and its
number, is not what they have already, nothing else is being changed). Named
rules come from the offering (``rules``, tenant.toml); a plugin's offering may
add its own ``check(context)``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from core.i18n import N_
from core.money import format_fen
from core.products.catalog import Catalog, ProductOffering
from core.products.states import ACTIVE, SUSPENDED

log = logging.getLogger("hall.products")
Reason = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class EligibilityContext:
    """What a check sees: the action, the offering, the product it changes (None for an add), the number's
    minimum monthly spend, and the offering the product has now (None when the catalog does not list it)."""

    hall: Any
    tenant: Any
    action: str
    offering: ProductOffering
    product: dict | None
    number_kind: str
    min_spend_fen: int
    current: ProductOffering | None
    pending: list[dict]


async def number_min_spend(hall, tenant, product: dict | None) -> int:
    """The minimum monthly spend that comes with the product's number: the hall's record or the number pool's, the higher."""
    known = int(product["min_spend_fen"]) if product else 0
    number = product["number"] if product else ""
    if not number:
        return known
    from core.legacy.ports import NumberPoolSource

    connector = hall.connector(tenant)
    if not isinstance(connector, NumberPoolSource):
        return known
    try:
        pooled = await connector.number_status(number)
    except Exception as exc:  # the pool is down: what the hall knows still counts
        log.warning("tenant %s: number pool not reachable for the minimum spend of a number: %s", tenant.id, exc)
        return known
    return max(known, pooled.min_spend_fen if pooled and not pooled.problem else 0)


def covers_min_spend(ctx: EligibilityContext) -> list[Reason]:
    if ctx.min_spend_fen and ctx.offering.monthly_fee_fen < ctx.min_spend_fen:
        return [
            (
                N_(
                    "Its monthly fee of %(fee)s yuan is below the minimum monthly spend of %(min)s yuan that comes with your number."
                ),
                {"fee": format_fen(ctx.offering.monthly_fee_fen), "min": format_fen(ctx.min_spend_fen)},
            )
        ]
    return []


RULES = {"covers_min_spend": covers_min_spend}


def structural(ctx: EligibilityContext) -> list[Reason]:
    o, p = ctx.offering, ctx.product
    out: list[Reason] = []
    if not o.orderable:
        out.append((N_("This offering is no longer sold."), {}))
    if o.number_kinds and ctx.number_kind and ctx.number_kind not in o.number_kinds:
        out.append((N_("This offering is not available for this kind of number."), {}))
    if ctx.action == "modify" and p is not None:
        if p["specification"] != o.specification:
            out.append((N_("This offering is not available for this kind of number."), {}))
        if p["state"] != ACTIVE:
            out.append((N_("Only a product in service can be changed."), {}))
        if o.code == p["offering_code"] or (o.legacy_code and o.legacy_code == p["legacy_code"]):
            out.append((N_("This is what you have already."), {}))
        elif ctx.current is not None and ctx.current.group != o.group:
            out.append((N_("This offering is not available for this kind of number."), {}))
        if p["open_order_id"] is not None:
            out.append((N_("Another order for this is being carried out; wait until it is finished."), {}))
        elif any(c["kind"] in ("offering", "terminate") for c in ctx.pending):
            out.append((N_("A change of this is already booked; it must take effect first."), {}))
    return out


def change_reasons(change: str, values: dict, product: dict, pending: list[dict]) -> list[Reason]:
    """Why a product cannot take a change that keeps its offering (a suspension, a resumption, new details)."""
    out: list[Reason] = []
    reasons = [r for r in (product["suspend_reasons"] or "").split(",") if r]
    reason = values.get("reason", "")
    if change == "suspend" and (product["state"] not in (ACTIVE, SUSPENDED) or reason in reasons):
        out.append((N_("Only a product in service can be changed."), {}))
    elif change == "resume" and (product["state"] != SUSPENDED or reason not in reasons):
        out.append((N_("Only a product suspended for this reason can be resumed."), {}))
    elif change == "characteristics" and product["state"] not in (ACTIVE, SUSPENDED):
        out.append((N_("Only a product in service can be changed."), {}))
    if product["open_order_id"] is not None:
        out.append((N_("Another order for this is being carried out; wait until it is finished."), {}))
    elif any(c["kind"] in (change, "terminate") for c in pending):
        out.append((N_("A change of this is already booked; it must take effect first."), {}))
    return out


def unique(reasons: list[Reason]) -> list[Reason]:
    seen, out = set(), []
    for message, params in reasons:
        key = (message, tuple(sorted(params.items())))
        if key not in seen:
            seen.add(key)
            out.append((message, params))
    return out


async def reasons(
    hall,
    tenant,
    catalog: Catalog,
    action: str,
    offering: ProductOffering,
    product: dict | None,
    pending: list[dict],
    min_spend: int | None = None,
) -> list[Reason]:
    """Why ``offering`` cannot be ordered (empty: it can)."""
    if min_spend is None:
        min_spend = await number_min_spend(hall, tenant, product)
    ctx = EligibilityContext(
        hall=hall,
        tenant=tenant,
        action=action,
        offering=offering,
        product=product,
        number_kind=((product or {}).get("characteristics") or {}).get("number_kind", ""),
        min_spend_fen=min_spend,
        current=catalog.get(product["offering_code"]) if product else None,
        pending=pending,
    )
    out = structural(ctx)
    for rule in offering.rules:
        check = RULES.get(rule)
        if check is not None:
            out += check(ctx)
    if offering.check is not None:
        out += [(m, {}) if isinstance(m, str) else m for m in offering.check(ctx) or []]
    return unique(out)
