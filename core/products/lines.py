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
from core.products.catalog import Catalog, catalog as load_catalog
from core.products.inventory import record_event
from core.products.states import ACTIVE, SUSPENDED, TERMINATED
from core.products.tables import Product, ProductEvent
from core.localtime import utc_moment

log = logging.getLogger("hall.products")
STATE_OF_STATUS = {"active": ACTIVE, "suspended": SUSPENDED, "closed": TERMINATED}
BATCH = 500
TARIFF_FRESH = dt.timedelta(hours=1)
BSS_APPLY_GRACE = dt.timedelta(hours=48)  # how long a hall-made state change waits for the BSS before the BSS wins


def line_key(number: str, customer: str) -> str:
    return f"line:{number}:{customer}"


def _product_of(sn: dict, state: str, stamp: dt.datetime) -> Product:
    return Product(
        product_key=line_key(sn["number"], sn["customer_legacy_id"]),
        specification="line",
        customer_legacy_id=sn["customer_legacy_id"],
        account_legacy_id=sn["account_legacy_id"] or sn["number"],  # a number is its own account when the BSS has none
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


def _event(product_id: int, from_state: str, to_state: str, details: dict, stamp: dt.datetime) -> ProductEvent:
    return ProductEvent(
        product_id=product_id, action="mirror", from_state=from_state, to_state=to_state, details=details, at=stamp
    )


async def _move_states(moves: dict[str, list[dict]], stamp: dt.datetime) -> None:
    """Existing products to their BSS state: at most two statements per state, whatever the number of products."""
    for state, products in moves.items():
        ids = [p["id"] for p in products]
        values: dict = {Product.state: state, Product.updated_at: stamp}
        if state == TERMINATED:
            values[Product.ended_at] = stamp
        await Product.update(values).where(Product.id.is_in(ids))
        unstarted = [p["id"] for p in products if p["started_at"] is None]
        if state != TERMINATED and unstarted:
            await Product.update({Product.started_at: stamp}).where(Product.id.is_in(unstarted))


async def _awaiting_bss(products: list[dict]) -> dict[int, dt.datetime]:
    """Product id → when the hall last moved it, for those whose current state the hall (not the mirror) set.

    A suspension, resumption or end the hall makes (an order, arrears, the customer's own 报停) reaches the BSS
    through the outbox and its interface program, which may take hours. Until the BSS reports it, a sync still
    shows the old status; mirroring that would undo the hall's change. One statement, only for the lines whose
    BSS status differs from the product's.
    """
    if not products:
        return {}
    rows = (
        await ProductEvent.select(ProductEvent.product_id, ProductEvent.action, ProductEvent.to_state, ProductEvent.at)
        .where(ProductEvent.product_id.is_in([p["id"] for p in products]) & (ProductEvent.to_state != ""))
        .order_by(ProductEvent.id)
    )
    latest: dict[int, dict] = {}
    for row in rows:  # the last event that set a state, per product
        latest[row["product_id"]] = row
    state_of = {p["id"]: p["state"] for p in products}
    return {
        pid: utc_moment(row["at"])
        for pid, row in latest.items()
        if row["action"] != "mirror" and row["to_state"] == state_of[pid]
    }


async def _mirror_batch(numbers: list[str]) -> int:
    """Mirror these service numbers onto their line products (inside the caller's transaction); how many.

    A bounded number of statements whatever the batch's size (tests/products/test_mirror_budget.py): the
    service numbers, their products, one insert of the new ones, one update of what every mirrored row carries,
    the state moves grouped by state, the lines of a number's former holder ended, one insert of the events.
    """
    if not numbers:
        return 0
    stamp = model.now()
    sns = {sn["number"]: sn for sn in await ServiceNumber.select().where(ServiceNumber.number.is_in(numbers))}
    if not sns:
        return 0
    wanted = {line_key(n, sn["customer_legacy_id"]): sn for n, sn in sns.items()}
    existing = {
        p["product_key"]: p
        for p in await Product.select(Product.id, Product.product_key, Product.state, Product.started_at).where(
            Product.product_key.is_in(list(wanted))
        )
    }
    events: list[ProductEvent] = []
    fresh = [
        _product_of(sn, STATE_OF_STATUS.get(sn["status"], ACTIVE), stamp)
        for k, sn in wanted.items()
        if k not in existing
    ]
    if fresh:  # a concurrent mirror's rows are left alone: only what this insert made gets its event
        made = await Product.insert(*fresh).on_conflict(action="DO NOTHING").returning(Product.id, Product.product_key)
        for row in made:
            sn = wanted[row["product_key"]]
            events.append(
                _event(row["id"], "", STATE_OF_STATUS.get(sn["status"], ACTIVE), {"status": sn["status"]}, stamp)
            )
    moves: dict[str, list[dict]] = {}
    differing = [p for k, p in existing.items() if p["state"] != STATE_OF_STATUS.get(wanted[k]["status"], ACTIVE)]
    awaited = await _awaiting_bss(differing)
    for key, product in existing.items():
        sn = wanted[key]
        state = STATE_OF_STATUS.get(sn["status"], ACTIVE)
        if product["state"] != state:
            details = {"status": sn["status"]}
            if product["id"] in awaited:
                if awaited[product["id"]] > stamp - BSS_APPLY_GRACE:
                    continue  # the hall changed it and the BSS has not applied it yet: the hall's state stands
                details["hall_change_not_applied"] = True
                log.warning(
                    "line %s: the BSS still says %s more than %s after the hall changed it to %s; the BSS wins",
                    product["product_key"],
                    sn["status"],
                    BSS_APPLY_GRACE,
                    product["state"],
                )
            moves.setdefault(state, []).append(product)
            events.append(_event(product["id"], product["state"], state, details, stamp))
    if existing:
        await queries.stamp_mirrored([p["id"] for p in existing.values()])
    await _move_states(moves, stamp)
    # a number with a new holder: the old holder's line has ended
    held = await Product.select(Product.id, Product.state, Product.number, Product.customer_legacy_id).where(
        Product.number.is_in(list(sns)) & (Product.specification == "line") & (Product.state != TERMINATED)
    )
    moved = [p for p in held if p["customer_legacy_id"] != sns[p["number"]]["customer_legacy_id"]]
    if moved:
        await Product.update({Product.state: TERMINATED, Product.ended_at: stamp, Product.updated_at: stamp}).where(
            Product.id.is_in([p["id"] for p in moved])
        )
        events += [_event(p["id"], p["state"], TERMINATED, {"moved_to_another_customer": True}, stamp) for p in moved]
    if events:
        await ProductEvent.insert(*events)
    return len(sns)


async def mirror_lines(limit: int = 100_000) -> int:
    """Mirror every service number changed since its product last mirrored it; returns how many."""
    done = 0
    while done < limit:
        rows = await queries.lines_to_mirror(min(BATCH, limit - done))
        if not rows:
            break
        async with transaction():
            await _mirror_batch([row["number"] for row in rows])
        done += len(rows)
    return done


async def mirror_numbers(numbers: list[str]) -> None:
    """Mirror these numbers now when they need it (a customer opening their products page, a console search)."""
    for start in range(0, len(numbers), BATCH):
        due = await queries.lines_to_mirror_of([n for n in numbers[start : start + BATCH] if n])
        if due:
            async with transaction():
                await _mirror_batch([row["number"] for row in due])


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
    stale = stale_lines(products, force=force)
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


def stale_lines(products: list[dict], *, force: bool = False) -> list[dict]:
    """The synced line products whose tariff should be read live again (all of them when ``force``)."""
    return [p for p in products if p["specification"] == "line" and p["source"] == "synced" and (force or _stale(p))]


async def read_fresh(
    hall, tenant, numbers: list[str], read, *, force: bool = False
) -> tuple[list[dict], Catalog, bool]:
    """``await read()`` of products as they are now: (rows, catalog, whether the BSS answered).

    The numbers' synced lines are mirrored first; stale tariffs are read live,
    and the rows read again only when one was.
    """
    await mirror_numbers(numbers)
    catalog = await load_catalog(hall, tenant)
    rows = await read()
    had_stale = bool(stale_lines(rows, force=force))
    reachable = await refresh_tariffs(hall, tenant, rows, catalog, force=force)
    if reachable and had_stale:
        rows = await read()
    return rows, catalog, reachable


def _stale(product: dict) -> bool:
    read = (product["characteristics"] or {}).get("tariff_as_of")
    if not read:
        return True
    try:
        return model.now() - dt.datetime.fromisoformat(read) > TARIFF_FRESH
    except ValueError:
        return True
