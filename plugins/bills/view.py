"""The bill page's context from one number's latest bills and their items: the chosen bill, the 12 months, the chart data."""

from __future__ import annotations

import json

from markupsafe import Markup

from plugins.bills.compare import compare

TOP_CHANGES = 5


def owed(bill: dict) -> int:
    return max(int(bill["amount_fen"]) - int(bill["paid_fen"]), 0)


def categories(bills: list[dict], items: dict[str, list[dict]]) -> list[tuple[str, str]]:
    """(code, name) of every item over the months, in first-seen order (the chart's series)."""
    seen: dict[str, str] = {}
    for bill in reversed(bills):
        for item in items.get(bill["legacy_id"], []):
            seen.setdefault(item["code"] or item["name"], item["name"])
    return list(seen.items())


def chart_island(shown: list[dict], items: dict[str, list[dict]], month: str) -> Markup:
    """The JSON the page's script draws from: integers in fen, oldest month first. Safe inside <script type=application/json>."""
    series = categories(shown, items)
    months = [b["month"] for b in reversed(shown)]
    per_bill = {b["legacy_id"]: {} for b in shown}
    for bill in shown:
        for item in items.get(bill["legacy_id"], []):
            key = item["code"] or item["name"]
            per_bill[bill["legacy_id"]][key] = per_bill[bill["legacy_id"]].get(key, 0) + int(item["amount_fen"])
    data = {
        "months": months,
        "totals": [int(b["amount_fen"]) for b in reversed(shown)],
        "series": [
            {"code": code, "name": name, "fen": [per_bill[b["legacy_id"]].get(code, 0) for b in reversed(shown)]}
            for code, name in series
        ],
        "month": month,
    }
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def bill_context(bills: list[dict], items: dict[str, list[dict]], month: str, months_shown: int) -> dict:
    """``bills`` newest first, possibly one more than shown (the previous month of the oldest shown bill, for comparison)."""
    shown = bills[:months_shown]
    index = next(i for i, b in enumerate(bills) if b["month"] == month)
    bill = bills[index]
    previous = bills[index + 1] if index + 1 < len(bills) else None
    bill_items = items.get(bill["legacy_id"], [])
    changes = compare(bill_items, items.get(previous["legacy_id"], [])) if previous else []
    return {
        "bill": bill,
        "owed_fen": owed(bill),
        "items": bill_items,
        "previous": previous,
        "delta_fen": int(bill["amount_fen"]) - int(previous["amount_fen"]) if previous else None,
        "changes": changes[:TOP_CHANGES],
        "more_changes": max(len(changes) - TOP_CHANGES, 0),
        "months": [{**b, "owed_fen": owed(b)} for b in shown],
        "chart_json": chart_island(shown, items, month),
    }
