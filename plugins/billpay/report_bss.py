"""The reconciliation report's BSS side: the core's comparison with the BSS's own payment records, as report rows.

Only for a tenant whose connector offers the ``payment_records`` port. The
comparison itself lives in the core (``compare_with_bss``: it works for any
connector); this turns its findings into the report's mismatch rows (with
the intent's state, owner and customer where the hall knows the payment) and
its counts into the report's ``bss`` summary. A BSS that cannot be read does
not stop the report: the summary says why, and the write-back checks of the
outbox stand in for it.
"""

from __future__ import annotations

import datetime as dt
import logging

from core.api import zone_of
from core.api.legacy import PaymentRecordSource
from core.api.payments import PaymentIntent, compare_with_bss, compare_with_gateway_bills

log = logging.getLogger("hall.billpay.report")
REPLACED = ("writeback_waiting", "writeback_rejected")  # the BSS side says the same, with what the BSS shows


async def bss_side(hall, tenant, start: dt.datetime, end: dt.datetime, moment: dt.datetime, grace: dt.timedelta):
    """(summary, mismatch rows); ({}, []) when the connector has no payment records to compare with."""
    connector = hall.connector(tenant)
    if not isinstance(connector, PaymentRecordSource):
        return {}, []
    try:
        found = await compare_with_bss(connector, start, end, zone=zone_of(tenant), grace=grace, moment=moment)
    except Exception as exc:  # unreachable, or its mapping does not fit: reported, the rest of the report stands
        log.warning("tenant %s: the BSS payment records could not be read: %s", tenant.id, exc)
        return {"available": False, "error": f"{type(exc).__name__}: {exc}"[:500]}, []
    return {"available": True, **found.as_dict()}, await as_report_rows(found.mismatches, "bss_fen")


async def bill_side(hall, tenant, day_from: dt.date, day_to: dt.date, start: dt.datetime, end: dt.datetime):
    """(per-provider summary, mismatch rows): each provider's daily bill against the hall (the core compares)."""
    found = await compare_with_gateway_bills(hall, tenant, day_from, day_to, start, end)
    for m in found.mismatches:
        if m["kind"] == "bill_unknown_trade":  # not a hall payment: shown by the gateway's order number, not linked
            m["reference"], m["intent_id"] = m["intent_id"] or m["provider_ref"], ""
    return found.providers, await as_report_rows(found.mismatches, "bill_fen")


async def as_report_rows(mismatches: list[dict], other_fen: str) -> list[dict]:
    """The core's findings as report rows, with the intent's state, owner and customer where the hall knows it."""
    ids = sorted({m["intent_id"] for m in mismatches if m["intent_id"]})
    intents = (
        {i["public_id"]: i for i in await PaymentIntent.select().where(PaymentIntent.public_id.is_in(ids))}
        if ids
        else {}
    )
    rows = []
    for m in mismatches:
        intent = intents.get(m["intent_id"], {})
        rows.append(
            {
                **m,
                "state": intent.get("state", ""),
                "amount_fen": m["amount_fen"] or m[other_fen] or 0,
                "owner": intent.get("owner", ""),
                "customer_id": intent.get("customer_id", ""),
                "provider": intent.get("provider", "") or m.get("provider", ""),
                "created_at": intent["created_at"].isoformat() if intent else "",
                "gateway_status": "",
            }
        )
    return rows
