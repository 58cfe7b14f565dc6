"""The third side of reconciliation: the hall's payments and refunds against the BSS's own payment records.

For a range of time (a day in the tenant's zone), every paid intent whose
``payment.posted`` event exists, and every refund that emitted
``payment.refunded``, is expected in the BSS: the write-back put the hall's
id (``pi…`` or ``rf…``) into a column of the BSS's payments table, which the
connector's ``payment_records`` port reads back as ``LegacyPayment.reference``.
They are paired by that id (several rows may share one: a payment of three
bills writes three rows) and every disagreement is listed:

- ``bss_missing``: no row, although the write-back was delivered (after the
  grace period) - or there was no event at all;
- ``bss_writeback_waiting`` / ``bss_writeback_failed``: no row, and the outbox
  event is still pending after the grace period / dead - the reason says which;
- ``bss_amount_differs``: the rows add up to another amount (a refund's rows
  may be negative or a positive reversal: their size is compared);
- ``bss_unknown_reference``: a row names a hall id the hall does not know;
- ``bss_not_paid_in_hall``: a row names a payment the hall has as unpaid (or a
  refund that did not succeed);
- ``bss_unreadable``: a row the connector could not convert (its problem).

Rows without a hall id are payments made elsewhere (counter, bank): counted
and totalled per channel, for information. The BSS is read a little beyond
the range (``SLACK_BEFORE``/``SLACK_AFTER``) so a row stamped just across
midnight still pairs; such rows belong to their own day's count.

Connector-neutral: it needs only :class:`~core.legacy.ports.PaymentRecordSource`.
Nothing is changed; it only reports. Runs in the current tenant.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator

from core.i18n import N_
from core.legacy.outbox_tables import OutboxEvent
from core.legacy.ports import LegacyPayment, PaymentRecordSource
from core.payments.bss_findings import BssComparison, Findings, pair, strangers
from core.payments.model import PAID, now
from core.payments.refunds import refunded_event_id
from core.payments.settle import posted_event_id
from core.payments.tables import PaymentIntent, Refund
from core.tenancy import require_tenant

KINDS = (
    "bss_missing",
    "bss_writeback_waiting",
    "bss_writeback_failed",
    "bss_amount_differs",
    "bss_unknown_reference",
    "bss_not_paid_in_hall",
    "bss_unreadable",
)
HALL_ID = re.compile(r"(?<![0-9a-z])(pi|rf)[0-9a-f]{28}(?![0-9a-f])")
SLACK_BEFORE = dt.timedelta(hours=1)
SLACK_AFTER = dt.timedelta(days=1)
PAGE = 500


def hall_reference(text: str) -> str:
    """The hall's payment or refund id in a BSS reference column (alone or inside a remark), or ""."""
    found = HALL_ID.search(text or "")
    return found.group(0) if found else ""


async def read_bss(
    connector: PaymentRecordSource, start: dt.datetime, end: dt.datetime
) -> AsyncIterator[LegacyPayment]:
    """Every BSS payment with ``start <= paid_at < end``, a page at a time (a province's counters write many)."""
    after = ""
    while True:
        page = await connector.payments_between(start, end, after, PAGE)
        for row in page.payments:
            yield row
        if not page.next_after:
            return
        after = page.next_after


async def _events(ids: list[str]) -> dict[str, dict]:
    if not ids:
        return {}
    found = await OutboxEvent.select(
        OutboxEvent.event_id,
        OutboxEvent.status,
        OutboxEvent.attempts,
        OutboxEvent.last_error,
        OutboxEvent.created_at,
        OutboxEvent.delivered_at,
    ).where(OutboxEvent.event_id.is_in(ids))
    return {e["event_id"]: e for e in found}


async def compare_with_bss(
    connector: PaymentRecordSource,
    start: dt.datetime,
    end: dt.datetime,
    *,
    zone: dt.tzinfo,
    grace: dt.timedelta = dt.timedelta(minutes=30),
    moment: dt.datetime | None = None,
) -> BssComparison:
    """Pair the hall's payments and refunds of ``[start, end)`` with the BSS's rows; see the module docstring."""
    tenant_id, moment = require_tenant().id, moment or now()
    report = Findings(zone)
    result = report.result
    intents = (
        await PaymentIntent.select()
        .where(
            PaymentIntent.state.is_in(list(PAID))
            & (PaymentIntent.succeeded_at >= start)
            & (PaymentIntent.succeeded_at < end)
        )
        .order_by(PaymentIntent.succeeded_at)
    )
    refunds = (
        await Refund.select()
        .where(
            (Refund.state == "succeeded")
            & Refund.undo.eq(True)
            & (Refund.updated_at >= start)
            & (Refund.updated_at < end)
        )
        .order_by(Refund.updated_at)
    )
    posted = await _events([posted_event_id(tenant_id, i["public_id"]) for i in intents])
    refunded = await _events([refunded_event_id(tenant_id, r["refund_id"]) for r in refunds])
    by_ref: dict[str, list[LegacyPayment]] = {}  # only the rows naming a hall id are kept
    async for row in read_bss(connector, start - SLACK_BEFORE, end + SLACK_AFTER):
        ref = hall_reference(row.reference)
        in_range = row.paid_at is not None and start <= row.paid_at < end
        if row.problem:
            report.add(
                "bss_unreadable",
                N_("A BSS payment row could not be read: %(problem)s"),
                {"problem": row.problem},
                reference=row.legacy_id,
                intent_id="",
                amount_fen=0,
                bss_fen=0,
            )
            continue
        if ref:
            by_ref.setdefault(ref, []).append(row)
        if in_range:
            result.bss_rows += 1
            if not ref:
                result.elsewhere_count += 1
                result.elsewhere_fen += row.amount_fen
                counts = result.elsewhere_by_channel.setdefault(row.channel or "-", [0, 0])
                counts[0] += 1
                counts[1] += row.amount_fen
    expected: set[str] = set()
    for intent in intents:
        event = posted.get(posted_event_id(tenant_id, intent["public_id"]))
        if event is None:
            continue  # never posted (a duplicate payment refunded at once): the BSS must not have it
        expected.add(intent["public_id"])
        pair(
            report,
            intent["public_id"],
            intent["public_id"],
            int(intent["amount_fen"]),
            event,
            by_ref,
            moment,
            grace,
            refund=False,
        )
    for refund in refunds:
        expected.add(refund["refund_id"])
        event = refunded.get(refunded_event_id(tenant_id, refund["refund_id"]))
        pair(
            report,
            refund["refund_id"],
            refund["intent_id"],
            int(refund["amount_fen"]),
            event,
            by_ref,
            moment,
            grace,
            refund=True,
        )
    await strangers(report, {r: found for r, found in by_ref.items() if r not in expected}, start, end)
    return result
