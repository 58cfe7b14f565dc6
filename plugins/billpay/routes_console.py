"""Operator pages: bill payments by service number, and the reconciliation reports (run, read, CSV)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from core.api import N_
from core.api.payments import PaymentIntent
from core.api.web import AuditorDep, Form, HallDep, redirect_to, render
from plugins.billpay.report import KINDS, run_report
from plugins.billpay.tables import BillPayment, Invoice, ReconReport
from plugins.billpay.views import local, zone_of

VIEW = {"auth": "operator", "permission": "billpay.view"}
REPORT = {"auth": "operator", "permission": "billpay.report"}
MAX_DAYS = 93
KIND_LABELS = {
    "paid_at_gateway_not_in_hall": N_("Paid at the gateway, not in the hall"),
    "paid_in_hall_not_at_gateway": N_("Paid in the hall, the gateway says not paid"),
    "amount_differs": N_("Amount differs"),
    "refund_mismatch": N_("Refunds do not agree"),
    "writeback_missing": N_("No write-back to the legacy system"),
    "writeback_rejected": N_("Write-back rejected by the legacy system"),
    "writeback_waiting": N_("Write-back not delivered yet"),
    "not_fulfilled": N_("Paid but not fulfilled"),
    "gateway_unavailable": N_("Gateway did not answer"),
    "bill_missing": N_("Paid in the hall, not in the gateway's bill"),
    "bill_amount_differs": N_("The gateway's bill has another amount"),
    "bill_unknown_trade": N_("In the gateway's bill, unknown to the hall"),
    "bill_not_paid_in_hall": N_("In the gateway's bill, not paid in the hall"),
    "bill_unavailable": N_("Gateway's bill not downloaded"),
    "bss_missing": N_("Paid in the hall, not in the BSS"),
    "bss_writeback_waiting": N_("Not in the BSS: write-back waiting"),
    "bss_writeback_failed": N_("Not in the BSS: write-back failed"),
    "bss_amount_differs": N_("The BSS has another amount"),
    "bss_unknown_reference": N_("BSS payment the hall does not know"),
    "bss_not_paid_in_hall": N_("In the BSS, not paid in the hall"),
    "bss_unreadable": N_("BSS payment row unreadable"),
}


def cell(value) -> str:
    """A CSV cell a spreadsheet never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@get("/console", opt=VIEW, name="billpay:console")
async def payments_by_number(request: Request) -> Response:
    number = "".join(ch for ch in (request.query_params.get("number") or "") if ch.isalnum())[:32]
    rows = []
    if number:
        paid = (
            await BillPayment.select()
            .where(BillPayment.number == number)
            .order_by(BillPayment.id, ascending=False)
            .limit(200)
        )
        ids = sorted({r["intent_id"] for r in paid})
        intents = (
            {
                i["public_id"]: i
                for i in await PaymentIntent.select(
                    PaymentIntent.public_id, PaymentIntent.state, PaymentIntent.amount_fen, PaymentIntent.provider_ref
                ).where(PaymentIntent.public_id.is_in(ids))
            }
            if ids
            else {}
        )
        invoiced = (
            {i["intent_id"] for i in await Invoice.select(Invoice.intent_id).where(Invoice.intent_id.is_in(ids))}
            if ids
            else set()
        )
        zone = zone_of(request)
        rows = [
            {
                **r,
                "when": local(r["created_at"], zone),
                "intent": intents.get(r["intent_id"]),
                "invoiced": r["intent_id"] in invoiced,
            }
            for r in paid
        ]
    return await render(request, "billpay/console_payments.html", {"number": number, "rows": rows}, audience="operator")


def _day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


async def _reports_page(request: Request, form: Form, status: int = 200) -> Response:
    reports = (
        await ReconReport.select(
            ReconReport.id,
            ReconReport.day_from,
            ReconReport.day_to,
            ReconReport.trigger,
            ReconReport.run_by,
            ReconReport.checked,
            ReconReport.mismatch_count,
            ReconReport.created_at,
        )
        .order_by(ReconReport.id, ascending=False)
        .limit(60)
    )
    zone = zone_of(request)
    return await render(
        request,
        "billpay/console_reports.html",
        {"reports": reports, "form": form, "when": {r["id"]: local(r["created_at"], zone) for r in reports}},
        status=status,
        audience="operator",
    )


@get("/console/reports", opt=REPORT, name="billpay:console.reports")
async def reports(request: Request) -> Response:
    today = dt.datetime.now(zone_of(request)).date()
    return await _reports_page(request, Form({"day_from": str(today - dt.timedelta(days=1)), "day_to": str(today)}))


@post("/console/reports", opt=REPORT, name="billpay:console.reports.run")
async def run(request: Request, hall: HallDep, auditor: AuditorDep) -> Response:
    form = await Form.from_request(request)
    day_from, day_to = _day(form.value("day_from")), _day(form.value("day_to"))
    if day_from is None:
        form.error("day_from", N_("Enter a date as YYYY-MM-DD."))
    if day_to is None:
        form.error("day_to", N_("Enter a date as YYYY-MM-DD."))
    if day_from and day_to and (day_to < day_from or (day_to - day_from).days >= MAX_DAYS):
        form.error("day_to", N_("The end must be on or after the start, at most %(n)s days later."), n=MAX_DAYS)
    if not form.valid:
        return await _reports_page(request, form, status=400)
    report_id = await run_report(hall, day_from, day_to, trigger="operator", run_by=auditor.actor, auditor=auditor)
    return redirect_to(request, "billpay:console.report", report_id=report_id)


async def _report(report_id: int) -> dict:
    row = await ReconReport.select().where(ReconReport.id == report_id).first()
    if row is None:
        raise NotFoundException()
    if isinstance(row["mismatches"], str):
        row["mismatches"] = json.loads(row["mismatches"] or "[]")
    if isinstance(row["bss"], str):
        row["bss"] = json.loads(row["bss"] or "{}")
    return row


@get("/console/reports/{report_id:int}", opt=REPORT, name="billpay:console.report")
async def report_page(request: Request, report_id: FromPath[int]) -> Response:
    row = await _report(report_id)
    counts = {k: sum(1 for m in row["mismatches"] if m["kind"] == k) for k in KINDS}
    return await render(
        request,
        "billpay/console_report.html",
        {"report": row, "labels": KIND_LABELS, "counts": counts, "when": local(row["created_at"], zone_of(request))},
        audience="operator",
    )


@get("/console/reports/{report_id:int}/csv", opt=REPORT, name="billpay:console.report.csv")
async def report_csv(request: Request, report_id: FromPath[int]) -> Response:
    row = await _report(report_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "kind",
            "intent_id",
            "reason",
            "hall_state",
            "gateway_status",
            "amount_fen",
            "owner",
            "customer_id",
            "provider",
            "created_at",
            "reference",
            "bss_amount_fen",
        ]
    )
    zone = zone_of(request)
    for m in row[
        "mismatches"
    ]:  # created_at is stored as UTC ISO text: exported in the tenant's zone like every shown time
        writer.writerow(
            [
                cell(m.get(k, ""))
                for k in (
                    "kind",
                    "intent_id",
                    "reason",
                    "state",
                    "gateway_status",
                    "amount_fen",
                    "owner",
                    "customer_id",
                    "provider",
                )
            ]
            + [cell(local(m.get("created_at") or None, zone)), cell(m.get("reference", "")), cell(m.get("bss_fen", ""))]
        )
    name = f"reconciliation-{row['day_from']}-{row['day_to']}-{row['id']}.csv"
    return Response(
        content="\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


HANDLERS = [payments_by_number, reports, run, report_page, report_csv]
