"""What the customer's pages show: an account's state and balance in words, the packages, the access numbers,
and one month of sessions (page and CSV) with times in the tenant's zone."""

from __future__ import annotations

import csv
import io

from core.api import N_, local
from core.api.products import get_product_order
from core.api.web import gettext, page_number, page_url

from . import accounts, clock
from .months import bounds, current_month, duration, neighbours, parse_month, size
from .packages import description, package, packages
from .radius_db import RadiusDbError, radius_db
from .tables import ACTIVE, CLOSED, ORDERED
from .usage import sessions, totals

STATES = {
    "unpaid": N_("Waiting for payment"),
    "setting_up": N_("Being set up"),
    "not_opened": N_("Not opened"),
    "locked": N_("Locked"),
    "expired": N_("Expired"),
    "used_up": N_("Used up"),
    "open": N_("Open"),
    "closed": N_("Closed"),
}


def _pick(text: dict[str, str], language: str) -> str:
    lowered = {k.lower(): v for k, v in (text or {}).items()}
    return lowered.get(language.lower()) or lowered.get("zh_cn") or next(iter(lowered.values()), "")


def package_rows(tenant, language: str) -> list[dict]:
    return [
        {
            "code": p.code,
            "kind": p.kind,
            "name": _pick(p.name, language),
            "price_fen": p.price_fen,
            "description": _pick(description(p), language),
        }
        for p in packages(tenant)
    ]


def access_numbers(tenant, language: str) -> list[dict]:
    return [
        {"city": _pick(n.city, language), "number": n.number, "note": _pick(n.note, language)}
        for n in tenant.plugin_settings("dialup").access_numbers
    ]


async def summary(hall, tenant, account: dict, language: str = "") -> dict:
    """The account with its state in words and, when RADIUS answers, what is left."""
    bal, unavailable = None, False
    if account["state"] == ACTIVE:
        try:
            bal = await accounts.balance(radius_db(hall, tenant), account)
        except RadiusDbError:
            unavailable = True
    state = "open"
    order = await get_product_order(account["order_id"]) if account["order_id"] else None
    if account["state"] == ORDERED:
        if order is None or order["state"] in ("cancelled", "failed"):
            state = "not_opened"
        else:
            state = "unpaid" if order["state"] == "pending" else "setting_up"
    elif account["state"] == CLOSED:
        state = "closed"
    elif account["locked"]:
        state = "locked"
    elif bal is not None and bal.expired:
        state = "expired"
    elif (bal is not None and bal.exhausted) or account["blocked"]:
        state = "used_up"
    pkg = package(tenant, account["offering_code"])
    language = language or tenant.language
    return {
        "account": account,
        "state": state,
        "state_label": STATES[state],
        "package": _pick(pkg.name, language) if pkg else account["offering_code"],
        "package_obj": pkg,
        "package_description": _pick(description(pkg), language) if pkg else "",
        "balance": bal,
        "unavailable": unavailable,
        "order": order,
        "hours_left": None if bal is None or bal.seconds_left is None else duration(bal.seconds_left),
        "used": duration(bal.used_seconds) if bal is not None else "",
    }


def _month(request, tenant) -> tuple[str, tuple[int, int] | None]:
    text = (request.query_params.get("month") or "").strip()[:7] or current_month(tenant, clock.now())
    return text, parse_month(text)


def _row(tenant, s) -> dict:
    return {
        "start": local(s.start, tenant, "second"),
        "stop": local(s.stop, tenant, "second") if s.stop else "",
        "duration": duration(s.seconds),
        "bytes_in": size(s.bytes_in),
        "bytes_out": size(s.bytes_out),
        "octets_in": s.bytes_in,
        "octets_out": s.bytes_out,
        "seconds": s.seconds,
        "nas": s.nas,
        "calling": s.calling,
        "session": s.session_id,
    }


async def usage_context(request, hall, tenant, account: dict) -> dict:
    month, parsed = _month(request, tenant)
    base = {
        "a": account,
        "month": month,
        "rows": [],
        "totals": None,
        "page": 1,
        "more": False,
        "page_url": page_url(request),
        "unavailable": False,
        "bad_month": parsed is None,
    }
    if parsed is None:
        parsed = parse_month(current_month(tenant, clock.now()))
    start, end = bounds(tenant, *parsed)
    before, after = neighbours(*parsed)
    base.update(before=before, after=after)
    per_page = tenant.plugin_settings("dialup").usage_page_size
    number = page_number(request)
    try:
        db = radius_db(hall, tenant)
        found = await sessions(db, account["username"], start, end, limit=per_page + 1, offset=(number - 1) * per_page)
        sums = await totals(db, account["username"], start, end)
    except RadiusDbError:
        return {**base, "unavailable": True}
    return {
        **base,
        "rows": [_row(tenant, s) for s in found[:per_page]],
        "more": len(found) > per_page,
        "page": number,
        "totals": {
            **sums,
            "duration": duration(sums["seconds"]),
            "in": size(sums["bytes_in"]),
            "out": size(sums["bytes_out"]),
        },
    }


async def usage_csv(request, hall, tenant, account: dict) -> tuple[str, str]:
    """Every session of the month as CSV (UTF-8 with a BOM, so spreadsheet programs read the Chinese headers)."""
    _ = gettext(request)
    month, parsed = _month(request, tenant)
    parsed = parsed or parse_month(current_month(tenant, clock.now()))
    start, end = bounds(tenant, *parsed)
    found = await sessions(radius_db(hall, tenant), account["username"], start, end)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(
        [
            _("Started"),
            _("Ended at"),
            _("Seconds"),
            _("Bytes uploaded"),
            _("Bytes downloaded"),
            _("Access server"),
            _("Calling number"),
            _("Session"),
        ]
    )
    for s in found:
        r = _row(tenant, s)
        writer.writerow(
            [r["start"], r["stop"], r["seconds"], r["octets_in"], r["octets_out"], r["nas"], r["calling"], r["session"]]
        )
    return out.getvalue(), f"dialup-{account['username']}-{month}.csv"
