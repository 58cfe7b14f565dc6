"""The gateways' daily bills against the hall: every provider's bill of a date range, compared with the hall's payments.

A provider that can download its daily bill implements ``daily_bill(day)``
(core/payments/providers.py) and returns :class:`BillRow` s - the same shape
for Alipay's 对账单 and WeChat Pay's 交易账单 - so the comparison is written
once, here, for every gateway. It finds:

- ``bill_unknown_trade``: the bill has a payment (or refund) the hall does not know;
- ``bill_not_paid_in_hall``: the bill has a payment the hall has as not paid;
- ``bill_amount_differs``: the bill's amount is not the hall's;
- ``bill_missing``: the hall has a payment as paid in the range that no bill of the
  range lists and that the gateway, asked about it, does not confirm (a payment
  the gateway booked on the next day, around midnight or settled late, is
  confirmed by ``query`` and is not a mismatch);
- ``bill_unavailable``: a bill could not be downloaded (the report says so; the
  per-payment queries still stand).

Nothing is changed: the comparison only reports.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass, field

from core.i18n import N_
from core.money import format_fen
from core.payments.model import PAID
from core.payments.providers import BillRow, ProviderUnavailable
from core.payments.registry import enabled_providers, provider_for
from core.payments.tables import PaymentIntent, Refund

log = logging.getLogger("hall.payments.bills")
KINDS = ("bill_missing", "bill_amount_differs", "bill_unknown_trade", "bill_not_paid_in_hall", "bill_unavailable")
BILL_TIMEOUT = 30.0


@dataclass
class BillComparison:
    """The findings (each a dict: kind, intent_id, provider, provider_ref, amount_fen, bill_fen, reason...) and counts."""

    mismatches: list[dict] = field(default_factory=list)
    providers: dict[str, dict] = field(default_factory=dict)  # per provider: days, rows, matched, without_bill

    def add(self, kind: str, provider: str, intent_id: str, message: str, params: dict, **facts) -> None:
        self.mismatches.append(
            {
                "kind": kind,
                "provider": provider,
                "intent_id": intent_id,
                "provider_ref": facts.get("provider_ref", ""),
                "amount_fen": facts.get("amount_fen"),
                "bill_fen": facts.get("bill_fen"),
                "reason": message % params,
                "reason_id": message,
                "params": params,
            }
        )


def _days(day_from: dt.date, day_to: dt.date) -> list[dt.date]:
    return [day_from + dt.timedelta(days=n) for n in range((day_to - day_from).days + 1)]


async def _download(provider, day: dt.date) -> list[BillRow]:
    return list(await asyncio.wait_for(provider.daily_bill(day), BILL_TIMEOUT))


async def compare_with_gateway_bills(
    hall, tenant, day_from: dt.date, day_to: dt.date, start: dt.datetime, end: dt.datetime
) -> BillComparison:
    """Each switched-on provider's bills of ``day_from``..``day_to`` against the hall (intents paid in [start, end))."""
    found = BillComparison()
    for provider_id in enabled_providers(hall, tenant):
        provider = provider_for(hall, tenant, provider_id)
        if provider is None or not hasattr(provider, "daily_bill"):
            found.providers[provider_id] = {"bill": False}
            continue
        rows: list[BillRow] = []
        summary = {"bill": True, "days": 0, "rows": 0, "matched": 0, "confirmed_by_query": 0}
        for day in _days(day_from, day_to):
            try:
                rows += await _download(provider, day)
                summary["days"] += 1
            except (ProviderUnavailable, TimeoutError, ConnectionError) as exc:
                log.warning("tenant %s: the %s bill of %s could not be had: %s", tenant.id, provider_id, day, exc)
                found.add("bill_unavailable", provider_id, "", N_("The %(provider)s bill of %(day)s could not be downloaded: %(error)s"),
                          {"provider": provider_id, "day": day.isoformat(), "error": str(exc) or type(exc).__name__})  # fmt: skip
        summary["rows"] = len(rows)
        found.providers[provider_id] = summary
        if summary["days"]:
            await _compare(
                found, provider, provider_id, rows, start, end, complete=summary["days"] == len(_days(day_from, day_to))
            )
    return found


async def _compare(found: BillComparison, provider, provider_id: str, rows: list[BillRow], start, end, complete: bool):
    payments = [r for r in rows if r.kind == "payment"]
    refund_rows = [r for r in rows if r.kind == "refund"]
    named = sorted({r.intent_id for r in rows})
    intents = (
        {i["public_id"]: i for i in await PaymentIntent.select().where(PaymentIntent.public_id.is_in(named))}
        if named
        else {}
    )
    summary = found.providers[provider_id]
    for row in payments:
        intent = intents.get(row.intent_id)
        facts = {"provider_ref": row.provider_ref, "bill_fen": row.amount_fen}
        if intent is None or intent["provider"] != provider_id:
            found.add("bill_unknown_trade", provider_id, row.intent_id,
                      N_("The %(provider)s bill has trade %(trade)s (order %(order)s, ¥%(amount)s), which the hall does not know."),
                      {"provider": provider_id, "trade": row.provider_ref, "order": row.intent_id, "amount": format_fen(row.amount_fen)},
                      **facts)  # fmt: skip
            continue
        facts["amount_fen"] = int(intent["amount_fen"])
        if intent["state"] not in PAID:
            found.add("bill_not_paid_in_hall", provider_id, row.intent_id,
                      N_("The %(provider)s bill has it paid (¥%(amount)s, trade %(trade)s); the hall says %(state)s."),
                      {"provider": provider_id, "amount": format_fen(row.amount_fen), "trade": row.provider_ref, "state": intent["state"]},
                      **facts)  # fmt: skip
        elif row.amount_fen != int(intent["amount_fen"]):
            found.add("bill_amount_differs", provider_id, row.intent_id,
                      N_("The %(provider)s bill says ¥%(bill)s; the hall took ¥%(hall)s."),
                      {"provider": provider_id, "bill": format_fen(row.amount_fen), "hall": format_fen(intent["amount_fen"])},
                      **facts)  # fmt: skip
        else:
            summary["matched"] += 1
    if refund_rows:
        await _compare_refunds(found, provider_id, refund_rows)
    if complete:
        await _missing(found, provider, provider_id, {r.intent_id for r in payments}, start, end)


async def _compare_refunds(found: BillComparison, provider_id: str, rows: list[BillRow]) -> None:
    ids = sorted({r.refund_id for r in rows if r.refund_id})
    known = {r["refund_id"]: r for r in await Refund.select().where(Refund.refund_id.is_in(ids))} if ids else {}
    for row in rows:
        refund = known.get(row.refund_id)
        facts = {"provider_ref": row.provider_ref, "bill_fen": row.amount_fen}
        if refund is None:
            found.add("bill_unknown_trade", provider_id, row.intent_id,
                      N_("The %(provider)s bill has refund %(refund)s of ¥%(amount)s, which the hall does not know."),
                      {"provider": provider_id, "refund": row.refund_id or row.provider_ref, "amount": format_fen(row.amount_fen)},
                      **facts)  # fmt: skip
        elif int(refund["amount_fen"]) != row.amount_fen:
            found.add("bill_amount_differs", provider_id, row.intent_id,
                      N_("The %(provider)s bill has refund %(refund)s as ¥%(bill)s; the hall refunded ¥%(hall)s."),
                      {"provider": provider_id, "refund": row.refund_id, "bill": format_fen(row.amount_fen), "hall": format_fen(refund["amount_fen"])},
                      amount_fen=int(refund["amount_fen"]), **facts)  # fmt: skip


async def _missing(found: BillComparison, provider, provider_id: str, billed: set[str], start, end) -> None:
    """Hall payments of the range no bill lists: asked about once more; only those the gateway does not confirm count."""
    paid = await PaymentIntent.select().where(
        (PaymentIntent.provider == provider_id)
        & PaymentIntent.state.is_in(list(PAID))
        & (PaymentIntent.succeeded_at >= start)
        & (PaymentIntent.succeeded_at < end)
    )
    for intent in paid:
        if intent["public_id"] in billed:
            continue
        try:
            answer = await asyncio.wait_for(provider.query(intent["public_id"]), BILL_TIMEOUT)
            status = answer.status
        except (ProviderUnavailable, TimeoutError, ConnectionError) as exc:
            status = f"? ({exc or type(exc).__name__})"
        if status == "succeeded":  # booked on another day (midnight, a late settlement): not a mismatch
            found.providers[provider_id]["confirmed_by_query"] += 1
            continue
        found.add("bill_missing", provider_id, intent["public_id"],
                  N_("Paid in the hall (¥%(amount)s), but not in the %(provider)s bills of the period; the gateway says %(status)s."),
                  {"provider": provider_id, "amount": format_fen(intent["amount_fen"]), "status": status},
                  amount_fen=int(intent["amount_fen"]), provider_ref=intent["provider_ref"])  # fmt: skip
