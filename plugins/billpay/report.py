"""The reconciliation report: gateway, hall ledger, legacy write-back and the BSS's records compared for a date range.

For each intent created in the range (days in the tenant's time zone), the
gateway is asked (``provider.query``, a few at a time, each with a timeout),
the hall's own records are read (intent state and amount, refunds, the
fulfilment) and the ``payment.posted`` outbox event (the write-back, id
derived from the intent) is looked up. When the connector offers the BSS's
own payment records (``payment_records``), the payments and refunds of the
range are also paired with the BSS's rows (:mod:`plugins.billpay.report_bss`,
the comparison is the core's). Every disagreement is listed, each with a kind
and a plain reason (docs/billpay.md lists the kinds). Each provider's daily bill (``daily_bill``: WeChat Pay's
trade bill, Alipay's 对账单) is downloaded and compared with the hall by the core
(``compare_with_gateway_bills``), whatever the gateway. The nightly job
stores yesterday's report (running it twice replaces it); operators run any
range from the console. Nothing here changes a payment: it only reports.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from core.api import N_, format_fen, zone_of
from core.api.db import require_tenant, transaction
from core.api.legacy import OutboxEvent
from core.api.web import Auditor
from core.api.payments import (
    BILL_KINDS,
    BSS_KINDS,
    PAID,
    PARTIALLY_REFUNDED,
    REFUNDED,
    PaymentIntent,
    ProviderUnavailable,
    Refund,
    now,
    posted_event_id,
    provider_for,
)
from plugins.billpay.report_bss import REPLACED, bill_side, bss_side
from plugins.billpay.tables import BillPayment, ReconReport

log = logging.getLogger("hall.billpay.report")
JOB_NAME = "billpay.nightly_report"
QUERY_TIMEOUT = 10.0
PARALLEL_QUERIES = 4
STALE_REFUND = dt.timedelta(days=1)
KINDS = (
    "paid_at_gateway_not_in_hall",
    "paid_in_hall_not_at_gateway",
    "amount_differs",
    "refund_mismatch",
    "writeback_missing",
    "writeback_rejected",
    "writeback_waiting",
    "not_fulfilled",
    "gateway_unavailable",
    *BILL_KINDS,
    *BSS_KINDS,
)


def day_range(tenant, day_from: dt.date, day_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = zone_of(tenant)
    start = dt.datetime.combine(day_from, dt.time(), zone)
    end = dt.datetime.combine(day_to + dt.timedelta(days=1), dt.time(), zone)
    return start.astimezone(dt.timezone.utc), end.astimezone(dt.timezone.utc)


def _fen(value) -> str:
    return format_fen(int(value or 0))


async def _ask_gateway(hall, tenant, intent: dict, limit: asyncio.Semaphore):
    provider = provider_for(hall, tenant, intent["provider"], switched_off_too=True)
    if provider is None:
        return None, (N_("No installed plugin builds payment provider %(provider)s."), {"provider": intent["provider"]})
    async with limit:
        try:
            return await asyncio.wait_for(provider.query(intent["public_id"]), QUERY_TIMEOUT), None
        except (ProviderUnavailable, TimeoutError) as exc:
            return None, (N_("The gateway did not answer: %(error)s"), {"error": str(exc) or type(exc).__name__})


def _gateway_mismatches(intent: dict, result, error) -> list[tuple]:
    if result is None:
        return [("gateway_unavailable", *error)]
    hall_paid = intent["state"] in PAID
    amount = int(intent["amount_fen"])
    state = intent["state"]
    out = []
    if result.status == "succeeded" and not hall_paid:
        out.append(
            (
                "paid_at_gateway_not_in_hall",
                N_("The gateway says paid (¥%(amount)s, trade %(trade)s); the hall says %(state)s."),
                {"amount": _fen(result.amount_fen), "trade": result.provider_ref or "-", "state": state},
            )
        )
    if hall_paid and result.status in ("pending", "failed", "unknown"):
        out.append(
            (
                "paid_in_hall_not_at_gateway",
                N_("The hall says %(state)s; the gateway says %(status)s."),
                {"state": state, "status": result.status},
            )
        )
    if hall_paid and result.status == "canceled" and state != REFUNDED:
        out.append(
            (
                "refund_mismatch",
                N_(
                    "The gateway shows the trade closed (refunded in full?); the hall says %(state)s, refunded ¥%(refunded)s."
                ),
                {"state": state, "refunded": _fen(intent["refunded_fen"])},
            )
        )
    if result.status == "succeeded" and result.amount_fen is not None and result.amount_fen != amount:
        out.append(
            (
                "amount_differs",
                N_("The gateway says ¥%(gateway)s; the hall asked for ¥%(hall)s."),
                {"gateway": _fen(result.amount_fen), "hall": _fen(amount)},
            )
        )
    return out


def _refund_mismatches(intent: dict, refunds: list[dict], moment: dt.datetime) -> list[tuple]:
    reserved = sum(int(r["amount_fen"]) for r in refunds if r["state"] in ("pending", "succeeded"))
    done = sum(int(r["amount_fen"]) for r in refunds if r["state"] == "succeeded")
    out = []
    if reserved != int(intent["refunded_fen"]):
        out.append(
            (
                "refund_mismatch",
                N_("The payment counts ¥%(counted)s refunded; its refunds add up to ¥%(total)s."),
                {"counted": _fen(intent["refunded_fen"]), "total": _fen(reserved)},
            )
        )
    if intent["state"] == REFUNDED and done < int(intent["amount_fen"]):
        out.append(
            (
                "refund_mismatch",
                N_("Marked refunded, but only ¥%(done)s of ¥%(amount)s came back."),
                {"done": _fen(done), "amount": _fen(intent["amount_fen"])},
            )
        )
    if intent["state"] == PARTIALLY_REFUNDED and done == 0:
        out.append(("refund_mismatch", N_("Marked partly refunded, but no refund succeeded."), {}))
    for r in refunds:
        if r["state"] == "pending" and r["created_at"] < moment - STALE_REFUND:
            out.append(
                (
                    "refund_mismatch",
                    N_("Refund %(refund)s of ¥%(amount)s has waited for the gateway since %(since)s UTC."),
                    {
                        "refund": r["refund_id"],
                        "amount": _fen(r["amount_fen"]),
                        "since": f"{r['created_at']:%Y-%m-%d %H:%M}",
                    },
                )
            )
    return out


def _writeback_mismatches(intent: dict, event: dict | None, moment: dt.datetime, late: dt.timedelta) -> list[tuple]:
    if intent["state"] not in PAID:
        return []
    if event is None:
        return [("writeback_missing", N_("Paid, but there is no payment.posted event for the legacy system."), {})]
    facts = {"status": event["status"], "attempts": str(event["attempts"]), "error": event["last_error"] or "-"}
    if event["status"] == "dead":
        return [
            (
                "writeback_rejected",
                N_("The legacy system refused the write-back after %(attempts)s attempt(s): %(error)s"),
                facts,
            )
        ]
    if event["status"] != "delivered" and event["created_at"] < moment - late:
        return [
            (
                "writeback_waiting",
                N_("The write-back is still %(status)s after %(attempts)s attempt(s); last error: %(error)s"),
                facts,
            )
        ]
    return []


async def build(hall, day_from: dt.date, day_to: dt.date) -> dict:
    """Compare every intent created from ``day_from`` to ``day_to`` (inclusive) in the current tenant; returns the findings."""
    tenant = require_tenant()
    start, end = day_range(tenant, day_from, day_to)
    moment = now()
    late = dt.timedelta(minutes=tenant.plugin_settings("billpay").writeback_late_minutes)
    intents = (
        await PaymentIntent.select()
        .where((PaymentIntent.created_at >= start) & (PaymentIntent.created_at < end))
        .order_by(PaymentIntent.id)
    )
    ids = [i["public_id"] for i in intents]
    refunds: dict[str, list[dict]] = {}
    events: dict[str, dict] = {}
    fulfilled: dict[str, int] = {}
    if ids:
        for r in await Refund.select().where(Refund.intent_id.is_in(ids)):
            refunds.setdefault(r["intent_id"], []).append(r)
        by_event = {posted_event_id(tenant.id, i): i for i in ids}
        for e in await OutboxEvent.select(
            OutboxEvent.event_id,
            OutboxEvent.status,
            OutboxEvent.attempts,
            OutboxEvent.last_error,
            OutboxEvent.created_at,
        ).where(OutboxEvent.event_id.is_in(list(by_event))):
            events[by_event[e["event_id"]]] = e
        for b in await BillPayment.select(BillPayment.intent_id, BillPayment.amount_fen).where(
            BillPayment.intent_id.is_in(ids)
        ):
            fulfilled[b["intent_id"]] = fulfilled.get(b["intent_id"], 0) + int(b["amount_fen"])
    limit = asyncio.Semaphore(PARALLEL_QUERIES)
    answers = await asyncio.gather(*(_ask_gateway(hall, tenant, i, limit) for i in intents))
    mismatches = []
    for intent, (result, error) in zip(intents, answers):
        found = _gateway_mismatches(intent, result, error)
        found += _refund_mismatches(intent, refunds.get(intent["public_id"], []), moment)
        found += _writeback_mismatches(intent, events.get(intent["public_id"]), moment, late)
        if intent["state"] in PAID and intent["fulfilled_at"] is None:
            found.append(
                (
                    "not_fulfilled",
                    N_("Paid, but the owner plugin %(owner)s has not fulfilled it."),
                    {"owner": intent["owner"]},
                )
            )
        elif (
            intent["state"] in PAID
            and intent["owner"] == "billpay"
            and fulfilled.get(intent["public_id"], 0) != int(intent["amount_fen"])
        ):
            found.append(
                (
                    "not_fulfilled",
                    N_("The bills recorded as paid add up to ¥%(recorded)s; the payment is ¥%(amount)s."),
                    {"recorded": _fen(fulfilled.get(intent["public_id"], 0)), "amount": _fen(intent["amount_fen"])},
                )
            )
        for (
            kind,
            message,
            params,
        ) in found:  # the reason in English (CSV, logs) and as a message id to translate where shown
            mismatches.append(
                {
                    "kind": kind,
                    "intent_id": intent["public_id"],
                    "reason": message % params,
                    "reason_id": message,
                    "params": params,
                    "state": intent["state"],
                    "amount_fen": int(intent["amount_fen"]),
                    "owner": intent["owner"],
                    "customer_id": intent["customer_id"],
                    "provider": intent["provider"],
                    "created_at": intent["created_at"].isoformat(),
                    "gateway_status": result.status if result is not None else "",
                }
            )
    bills, bill_rows = await bill_side(hall, tenant, day_from, day_to, start, end)
    mismatches += bill_rows
    bss, bss_rows = await bss_side(hall, tenant, start, end, moment, late)
    if bss.get("available"):
        mismatches = [m for m in mismatches if m["kind"] not in REPLACED] + bss_rows
    if bills:
        bss = {**bss, "gateway_bills": bills}  # kept with the report (its JSON column); the page shows both
    return {"day_from": day_from, "day_to": day_to, "checked": len(intents), "mismatches": mismatches, "bss": bss}


async def run_report(
    hall,
    day_from: dt.date,
    day_to: dt.date,
    *,
    trigger: str = "operator",
    run_by: str = "",
    auditor: Auditor | None = None,
) -> int:
    """Build and store a report; the nightly one of a day replaces an earlier run of that day. Returns its row id.

    An operator's run (``auditor``) is audited with the report it stored."""
    found = await build(hall, day_from, day_to)
    counts: dict[str, int] = {}
    for m in found["mismatches"]:
        counts[m["kind"]] = counts.get(m["kind"], 0) + 1
    summary = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))
    row = ReconReport(
        day_from=day_from,
        day_to=day_to,
        trigger=trigger,
        run_by=run_by[:64],
        checked=found["checked"],
        mismatch_count=len(found["mismatches"]),
        mismatches=found["mismatches"],
        bss=found["bss"],
        summary=summary,
        created_at=now(),
    )
    async with transaction():
        if trigger == "nightly":
            await ReconReport.delete().where(
                (ReconReport.day_from == day_from) & (ReconReport.day_to == day_to) & (ReconReport.trigger == "nightly")
            )
        inserted = await ReconReport.insert(row).returning(ReconReport.id)
        if auditor is not None:
            await auditor.record(
                "billpay.report.run",
                object_type="recon_report",
                object_id=inserted[0]["id"],
                after={"day_from": str(day_from), "day_to": str(day_to)},
            )
    log.info(
        "tenant %s: reconciliation %s..%s: %d payment(s), %d mismatch(es)",
        require_tenant().id,
        day_from,
        day_to,
        found["checked"],
        len(found["mismatches"]),
    )
    return inserted[0]["id"]


async def nightly_report(hall, tenant_id: str, **_) -> None:
    """The job: yesterday (in the tenant's time zone), stored; safe to run twice (the second run replaces the first)."""
    tenant = require_tenant()
    today = now().astimezone(zone_of(tenant)).date()
    yesterday = today - dt.timedelta(days=1)
    await run_report(hall, yesterday, yesterday, trigger="nightly", run_by="job")
