"""The stock audit (job ``shop.audit``): every batch must still hold every card it was made with, each in one state.

generated = in stock + sold + redeemed + void (+ generated, not yet stocked), per
batch. A card deleted behind the hall's back, or one moved into a state that
does not exist, makes the sum short and raises an alert naming the batch.
It also raises the low-stock alert of every product whose free stock (in
stock, not held by a live order; for a physical product, its stock on hand in
every location) is below its ``low_stock``, and checks the stock invariant of every physical product (on hand =
free + held + paid, stock_holds.py): a stock row changed behind the hall's back raises *Stock does not add up*.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.api.payments import now
from plugins.shop.alerts import raise_alert
from plugins.shop import stock_holds
from plugins.shop.tables import CARD_STATES, IN_STOCK, Batch, Card, Product
from plugins.shop.warehouse import on_hand


@dataclass(frozen=True)
class BatchCount:
    batch_id: int
    code: str
    generated: int
    by_state: dict

    @property
    def counted(self) -> int:
        return sum(self.by_state.get(s, 0) for s in CARD_STATES)

    @property
    def ok(self) -> bool:
        return self.counted == self.generated and sum(self.by_state.values()) == self.generated


async def count_batches() -> list[BatchCount]:
    batches = await Batch.select(Batch.id, Batch.code, Batch.generated).order_by(Batch.id)
    counts: dict[int, dict] = {}
    for row in await Card.select(Card.batch_id, Card.state):
        per = counts.setdefault(row["batch_id"], {})
        per[row["state"]] = per.get(row["state"], 0) + 1
    return [BatchCount(b["id"], b["code"], b["generated"], counts.get(b["id"], {})) for b in batches]


async def free_stock(product_id: int) -> int:
    """Cards of the product that checkout may hold: in stock, and not held by a live order."""
    return await Card.count().where(
        (Card.product_id == product_id)
        & (Card.state == IN_STOCK)
        & (Card.hold_until.is_null() | (Card.hold_until < now()))
    )


async def audit_stock() -> dict:
    """Check every batch and every product's stock; alerts for what is wrong. Returns what it found."""
    wrong = []
    for count in await count_batches():
        if not count.ok:
            wrong.append(count.code)
            detail = f"generated {count.generated}, counted {sum(count.by_state.values())}: {count.by_state}"
            await raise_alert("batch_mismatch", count.code, detail)
    low, unbalanced = [], []
    columns = (Product.id, Product.code, Product.low_stock, Product.delivery, Product.stock_free, Product.active)
    for product in await Product.select(*columns):
        if product["delivery"] == "physical":
            left = await on_hand(product["id"])
            promised = await stock_holds.promised(product["id"])
            if left != product["stock_free"] + promised or product["stock_free"] < 0:
                unbalanced.append(product["code"])
                detail = f"on hand {left}, free {product['stock_free']}, held or paid {promised}"
                await raise_alert("stock_mismatch", product["code"], detail)
        else:
            left = await free_stock(product["id"])
        if not product["active"]:
            continue
        if left < product["low_stock"]:
            low.append(product["code"])
            await raise_alert("low_stock", product["code"], f"{left} left, alert below {product['low_stock']}")
    return {"batches_wrong": wrong, "low_stock": low, "stock_unbalanced": unbalanced}


async def audit_job(hall, tenant_id: str, **_) -> None:
    """The job, run by the core for every tenant that enables the shop (in its scope)."""
    await audit_stock()
