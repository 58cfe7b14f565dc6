"""Synced lines appear as products: each service number the customer sync brought becomes a ``line`` product.

Decision (docs/architecture.md): the lines are **materialised**, not derived at
read time, so that orders, pending changes, console search and the charge run
all see one inventory. The BSS stays the truth for them:

- ``mirror_lines`` (job ``core.products.mirror_lines`` every 15 minutes, and for
  a customer's own numbers when their products page opens) copies state and
  account from ``core_service_number``: set-based, by comparing each row's
  ``synced_at`` with the product's ``mirrored_at``, so it needs no watermark and
  never touches the sync code. A mirrored line moves to the BSS's state directly
  (an event ``mirror`` records it), not through the order state machine.
- The tariff (the line's offering) is read live through the ``lines`` port
  (``refresh_tariffs``) when it matters - the products page, a plan change - and
  kept with the time it was read (``characteristics["tariff_as_of"]``).
"""

from __future__ import annotations

import datetime as dt
import logging

from core.auth.tables import ServiceNumber
from core.db import transaction
from core.products import model, queries
from core.products.catalog import Catalog
from core.products.inventory import record_event
from core.products.states import ACTIVE, SUSPENDED, TERMINATED
from core.products.tables import Product

log = logging.getLogger("hall.products")
STATE_OF_STATUS = {"active": ACTIVE, "suspended": SUSPENDED, "closed": TERMINATED}
BATCH = 500
TARIFF_FRESH = dt.timedelta(hours=1)


def line_key(number: str, customer: str) -> str:
    return f"line:{number}:{customer}"


async def _mirror_one(number: str) -> bool:
    """Mirror the service number ``number`` onto its line product (inside the caller's transaction)."""
    sn = await ServiceNumber.select().where(ServiceNumber.number == number).first()
    if sn is None:
        return False
    key = line_key(sn["number"], sn["customer_legacy_id"])
    state = STATE_OF_STATUS.get(sn["status"], ACTIVE)
    account = sn["account_legacy_id"] or sn["number"]  # a number is its own account when the BSS has none
    stamp = model.now()
    product = await Product.select().where(Product.product_key == key).first()
    if product is None:
        rows = await Product.insert(
            Product(
                product_key=key,
                specification="line",
                customer_legacy_id=sn["customer_legacy_id"],
                account_legacy_id=account,
                number=sn["number"],
                state=state,
                charged_by="bss",
                characteristics={"number_kind": sn["kind"]},
                source="synced",
                mirrored_at=sn["synced_at"],
                started_at=stamp if state != TERMINATED else None,
                ended_at=stamp if state == TERMINATED else None,
                created_at=stamp,
                updated_at=stamp,
            )
        ).on_conflict(action="DO NOTHING")
        if rows:
            await record_event(rows[0]["id"], "mirror", "", state, details={"status": sn["status"]})
    else:
        values: dict = {Product.mirrored_at: sn["synced_at"], Product.account_legacy_id: account}
        if product["state"] != state:
            values.update({Product.state: state, Product.updated_at: stamp})
            if state == TERMINATED:
                values[Product.ended_at] = stamp
            elif product["started_at"] is None:
                values[Product.started_at] = stamp
            await record_event(product["id"], "mirror", product["state"], state, details={"status": sn["status"]})
        await Product.update(values).where(Product.id == product["id"])
    # the number has a new holder: the old holder's line has ended
    moved = await Product.select(Product.id, Product.state).where(
        (Product.number == number)
        & (Product.specification == "line")
        & (Product.customer_legacy_id != sn["customer_legacy_id"])
        & (Product.state != TERMINATED)
    )
    for old in moved:
        await Product.update({Product.state: TERMINATED, Product.ended_at: stamp, Product.updated_at: stamp}).where(
            Product.id == old["id"]
        )
        await record_event(old["id"], "mirror", old["state"], TERMINATED, details={"moved_to_another_customer": True})
    return True


async def mirror_lines(limit: int = 100_000) -> int:
    """Mirror every service number changed since its product last mirrored it; returns how many."""
    done = 0
    while done < limit:
        rows = await queries.lines_to_mirror(min(BATCH, limit - done))
        if not rows:
            break
        async with transaction():
            for row in rows:
                await _mirror_one(row["number"])
        done += len(rows)
    return done


async def mirror_numbers(numbers: list[str]) -> None:
    """Mirror these numbers now when they need it (a customer opening their products page)."""
    for number in numbers:
        if await queries.line_to_mirror(number):
            async with transaction():
                await _mirror_one(number)


async def mirror_matching(text: str, limit: int = 200) -> None:
    """Mirror the numbers a console search names (a number, an account, a customer), so it never waits for the job."""
    rows = (
        await ServiceNumber.select(ServiceNumber.number)
        .where(
            (ServiceNumber.number == text)
            | (ServiceNumber.account_legacy_id == text)
            | (ServiceNumber.customer_legacy_id == text)
        )
        .limit(limit)
    )
    await mirror_numbers([r["number"] for r in rows])


def _tariff_values(product: dict, line, catalog: Catalog) -> dict:
    offering = catalog.by_legacy_code("line", line.tariff_code)
    chars = dict(product["characteristics"] or {})
    chars.update(
        {
            "long_distance": bool(line.long_distance),
            "international": bool(line.international),
            "tariff_as_of": model.now().isoformat(),
        }
    )
    return {
        "offering_code": offering.code if offering else "",
        "name": (line.tariff_name or "")[:100],
        "legacy_code": line.tariff_code or "",
        "monthly_fee_fen": int(line.monthly_fee_fen or 0),
        "characteristics": chars,
    }


async def refresh_tariffs(hall, tenant, products: list[dict], catalog: Catalog, *, force: bool = False) -> bool:
    """Read the tariffs of these line products live (the ``lines`` port); False when the BSS could not be asked."""
    from core.legacy.ports import ServiceLineSource

    connector = hall.connector(tenant)
    if not isinstance(connector, ServiceLineSource):
        return False
    stale = [p for p in products if p["specification"] == "line" and p["source"] == "synced" and (force or _stale(p))]
    if not stale:
        return True
    by_customer: dict[str, list[dict]] = {}
    for p in stale:
        by_customer.setdefault(p["customer_legacy_id"], []).append(p)
    try:
        for customer, mine in by_customer.items():
            if len(mine) == 1:
                line = await connector.line_by_number(mine[0]["number"])
                lines = {line.number: line} if line else {}
            else:
                lines = {ln.number: ln for ln in await connector.lines_of_customer(customer)}
            async with transaction():
                for p in mine:
                    line = lines.get(p["number"])
                    if line is None or line.problem:
                        continue
                    values = _tariff_values(p, line, catalog)
                    if values["legacy_code"] != p["legacy_code"] and p["legacy_code"]:
                        await record_event(
                            p["id"],
                            "tariff",
                            p["state"],
                            p["state"],
                            details={"from": p["legacy_code"], "to": values["legacy_code"]},
                        )
                    await Product.update({getattr(Product, k): v for k, v in values.items()}).where(
                        Product.id == p["id"]
                    )
    except Exception as exc:  # the BSS is down or slow: the stored tariff stays, with its "as of"
        log.warning("tenant %s: line tariffs could not be read: %s", tenant.id, exc)
        return False
    return True


def _stale(product: dict) -> bool:
    read = (product["characteristics"] or {}).get("tariff_as_of")
    if not read:
        return True
    try:
        return model.now() - dt.datetime.fromisoformat(read) > TARIFF_FRESH
    except ValueError:
        return True
