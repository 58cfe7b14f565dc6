"""Sales statistics for operators: paid cards and amounts per day (the tenant's days), product rankings, conversion, buyers."""

from __future__ import annotations

import csv
import datetime as dt
import io

from core.api import to_local
from core.api.payments import now
from plugins.shop.tables import VOIDED, Order, Product


async def figures(tenant, days: int) -> dict:
    since = now() - dt.timedelta(days=days)
    orders = await Order.select().where(Order.created_at >= since)
    products = {
        p["id"]: p
        for p in await Product.select(Product.id, Product.code, Product.name_zh, Product.name_en, Product.views)
    }
    paid = [o for o in orders if o["paid_at"] is not None and o["state"] not in (VOIDED,)]
    per_day: dict[str, list[int]] = {}
    for o in paid:
        day = to_local(o["paid_at"], tenant).date().isoformat()
        per_day.setdefault(day, [0, 0])
        per_day[day][0] += 1
        per_day[day][1] += int(o["price_fen"])
    ranking: dict[int, list[int]] = {}
    for o in paid:
        ranking.setdefault(o["product_id"], [0, 0])
        ranking[o["product_id"]][0] += 1
        ranking[o["product_id"]][1] += int(o["price_fen"])
    buyers: dict[str, list[int]] = {}
    for o in paid:
        buyers.setdefault(o["customer_id"], [0, 0])
        buyers[o["customer_id"]][0] += 1
        buyers[o["customer_id"]][1] += int(o["price_fen"])
    daily = [{"day": d, "cards": v[0], "fen": v[1]} for d, v in sorted(per_day.items())]
    top = max((d["fen"] for d in daily), default=0)
    for d in daily:
        d["bar"] = round(300 * d["fen"] / top) if top else 0
    return {
        "days": days,
        "daily": daily,
        "total_cards": len(paid),
        "total_fen": sum(int(o["price_fen"]) for o in paid),
        "products": sorted(
            ({"product": products.get(pid), "cards": v[0], "fen": v[1]} for pid, v in ranking.items()),
            key=lambda r: -r["fen"],
        ),
        "buyers": sorted(
            ({"customer": c, "cards": v[0], "fen": v[1]} for c, v in buyers.items()), key=lambda r: -r["fen"]
        )[:20],
        "views": sum(int(p["views"]) for p in products.values()),
        "ordered": len(orders),
        "paid": len(paid),
    }


def as_csv(found: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["day", "cards", "amount_yuan"])
    for d in found["daily"]:
        writer.writerow([d["day"], d["cards"], f"{d['fen'] // 100}.{d['fen'] % 100:02d}"])
    return "\ufeff" + out.getvalue()
