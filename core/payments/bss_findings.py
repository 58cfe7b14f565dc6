"""The findings of the BSS comparison (:mod:`core.payments.bss_reconcile`): one per disagreement, with its facts.

Each finding has a kind, the hall id it is about (``reference``), the
intent, the hall's and the BSS's amounts, and its reason both as a message id
with parameters (translated where shown, times already in the tenant's zone)
and in English (CSV, logs).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from core.i18n import N_
from core.legacy.ports import LegacyPayment
from core.money import format_fen
from core.payments.model import PAID
from core.payments.tables import PaymentIntent, Refund


@dataclass
class BssComparison:
    """What the comparison found; ``mismatches`` are dicts (kind, reference, reason_id, params, reason, ...)."""

    expected: int = 0  # hall payments and refunds that should be in the BSS
    matched: int = 0
    in_flight: int = 0  # written back within the grace period, or about to be: not judged yet
    bss_rows: int = 0  # BSS rows paid in the range
    elsewhere_count: int = 0  # ... of which made elsewhere (no hall id)
    elsewhere_fen: int = 0
    elsewhere_by_channel: dict[str, list[int]] = field(default_factory=dict)  # channel -> [count, fen]
    mismatches: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "expected": self.expected,
            "matched": self.matched,
            "in_flight": self.in_flight,
            "bss_rows": self.bss_rows,
            "elsewhere_count": self.elsewhere_count,
            "elsewhere_fen": self.elsewhere_fen,
            "elsewhere_by_channel": self.elsewhere_by_channel,
        }


def _when(moment: dt.datetime | None, zone: dt.tzinfo) -> str:
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M}" if moment else "-"


def _event_facts(event: dict, zone: dt.tzinfo) -> dict:
    return {
        "status": event["status"],
        "attempts": str(event["attempts"]),
        "error": event["last_error"] or "-",
        "when": _when(event["delivered_at"], zone),
    }


def _absent(event: dict | None, moment: dt.datetime, grace: dt.timedelta, zone: dt.tzinfo) -> tuple | None:
    """(kind, message, params) for a hall item with no BSS row, or None while it is in flight."""
    if event is None:
        return "bss_missing", N_("Not in the BSS, and the hall has no write-back event for it."), {}
    facts = _event_facts(event, zone)
    if event["status"] == "dead":
        return (
            "bss_writeback_failed",
            N_("Not in the BSS: the write-back failed after %(attempts)s attempt(s): %(error)s"),
            facts,
        )
    if event["status"] == "delivered":
        if event["delivered_at"] and event["delivered_at"] >= moment - grace:
            return None
        return (
            "bss_missing",
            N_("Not in the BSS, although the write-back was delivered at %(when)s."),
            facts,
        )
    if event["created_at"] >= moment - grace:
        return None
    return (
        "bss_writeback_waiting",
        N_("Not in the BSS: the write-back is still %(status)s after %(attempts)s attempt(s); last error: %(error)s"),
        facts,
    )


def _rows_facts(rows: list[LegacyPayment]) -> dict:
    return {
        "bss": format_fen(sum(r.amount_fen for r in rows)),
        "rows": str(len(rows)),
        "serials": ", ".join(r.legacy_id for r in rows[:5]),
    }


class Findings:
    def __init__(self, zone: dt.tzinfo):
        self.zone, self.result = zone, BssComparison()

    def add(self, kind: str, message: str, params: dict, **facts) -> None:
        self.result.mismatches.append(
            {"kind": kind, "reason_id": message, "params": params, "reason": message % params, **facts}
        )


def pair(
    report: Findings, ref: str, intent_id: str, amount: int, event, by_ref, moment, grace, *, refund: bool
) -> None:
    result, found = report.result, by_ref.get(ref, [])
    result.expected += 1
    facts = {"reference": ref, "intent_id": intent_id, "amount_fen": amount}
    if not found:
        absent = _absent(event, moment, grace, report.zone)
        if absent is None:
            result.in_flight += 1
        else:
            report.add(*absent, **facts, bss_fen=0)
        return
    total = sum(r.amount_fen for r in found)
    if (abs(total) if refund else total) == amount:
        result.matched += 1
        return
    message = (
        N_("The BSS has ¥%(bss)s for this refund in %(rows)s row(s) (%(serials)s); the hall refunded ¥%(hall)s.")
        if refund
        else N_("The BSS has ¥%(bss)s in %(rows)s row(s) (%(serials)s); the hall took ¥%(hall)s.")
    )
    report.add(
        "bss_amount_differs", message, {**_rows_facts(found), "hall": format_fen(amount)}, **facts, bss_fen=total
    )


async def strangers(
    report: Findings, by_ref: dict[str, list[LegacyPayment]], start: dt.datetime, end: dt.datetime
) -> None:
    """BSS rows of the range naming hall ids not expected in it: unknown ids, or payments the hall has as unpaid."""
    in_range = {ref: [r for r in rows if start <= r.paid_at < end] for ref, rows in by_ref.items()}
    in_range = {ref: rows for ref, rows in in_range.items() if rows}
    if not in_range:
        return
    refs = list(in_range)
    intents = {
        i["public_id"]: i["state"]
        for i in await PaymentIntent.select(PaymentIntent.public_id, PaymentIntent.state).where(
            PaymentIntent.public_id.is_in(refs)
        )
    }
    refunds = {
        r["refund_id"]: (r["state"], r["intent_id"])
        for r in await Refund.select(Refund.refund_id, Refund.state, Refund.intent_id).where(
            Refund.refund_id.is_in(refs)
        )
    }
    for ref, rows in in_range.items():
        facts = {"reference": ref, "amount_fen": 0, "bss_fen": sum(r.amount_fen for r in rows)}
        params = {**_rows_facts(rows), "reference": ref, "when": _when(rows[0].paid_at, report.zone)}
        if ref in intents:
            if intents[ref] not in PAID:
                params["state"] = intents[ref]
                report.add(
                    "bss_not_paid_in_hall",
                    N_("The BSS has ¥%(bss)s for payment %(reference)s (%(serials)s); the hall has it as %(state)s."),
                    params,
                    **facts,
                    intent_id=ref,
                )
        elif ref in refunds:
            if refunds[ref][0] != "succeeded":
                params["state"] = refunds[ref][0]
                report.add(
                    "bss_not_paid_in_hall",
                    N_("The BSS has ¥%(bss)s for refund %(reference)s (%(serials)s); the hall has it as %(state)s."),
                    params,
                    **facts,
                    intent_id=refunds[ref][1],
                )
        else:
            report.add(
                "bss_unknown_reference",
                N_("BSS row(s) %(serials)s (¥%(bss)s, %(when)s) name %(reference)s, which the hall does not know."),
                params,
                **facts,
                intent_id="",
            )
