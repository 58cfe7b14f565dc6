"""The lifecycle contract: provision, modify, suspend, resume, terminate and renew a product through its owner.

A request is a row (``core_product_request``) under a unique key, written in
the transaction that decides it; the owning plugin's hook runs later, outside
any transaction (it may call a RADIUS or mail server), by :func:`run`:

- **Idempotent**: the same key finds the same row; a request that is done is
  never run again, and the hook gets the key to pass to the outside system.
- **One runner**: :func:`run` claims the row with a conditional UPDATE
  (pending, or running but claimed longer than :data:`STALE` ago by a worker
  that died), so two workers never call the hook for it at once.
- **Never silently half-done**: a hook that raises leaves the request
  ``failed`` with the reason, the product with ``problem`` set (and in its
  pending state), the order ``held``; an operator retries it from the console
  (:func:`retry`) or gives the order up.
"""

from __future__ import annotations

import datetime as dt
import logging

from core.db import transaction
from core.i18n import N_
from core.products import inventory, model
from core.products.catalog import specification
from core.products.model import LifecycleCall, LifecycleFailed, NotFound, ProductView
from core.products.states import ACTIVE, CREATED, PENDING_ACTIVE, PENDING_TERMINATE, SUSPENDED, TERMINATED
from core.products.tables import LifecycleRequest, Product
from core.utils import await_each

log = logging.getLogger("hall.products")
ACTIONS = ("provision", "modify", "suspend", "resume", "terminate", "renew")
HOOKS = {action: f"{action}_product" for action in ACTIONS}
STALE = dt.timedelta(minutes=10)  # a claim this old belongs to a worker that died


def has_hook(hall, product: dict, action: str) -> bool:
    """Whether the product's owner implements the hook of ``action``; without one a request is bookkeeping only."""
    spec = specification(hall, product["specification"])
    return spec is None or spec.plugin in hall.plugins.implementers(HOOKS[action])


async def request(
    product: dict,
    action: str,
    *,
    key: str,
    params: dict | None = None,
    order_id: int | None = None,
    hall=None,
) -> tuple[dict, bool]:
    """Record the request ``key`` (inside the caller's transaction); (row, True) when it is new.

    A new provision moves the product from created to pending_active, a new
    terminate to pending_terminate: the customer sees that something is under way.
    Given the ``hall``, a request whose owner has no hook for it is done at once,
    in this transaction (nothing outside to call: the plan change of a line).
    """
    if action not in ACTIONS:
        raise ValueError(f"lifecycle action must be one of {', '.join(ACTIONS)} (got {action!r})")
    rows = await LifecycleRequest.insert(
        LifecycleRequest(
            request_key=key[:160],
            product_id=product["id"],
            order_id=order_id,
            action=action,
            params=params or {},
            state="pending",
            created_at=model.now(),
        )
    ).on_conflict(action="DO NOTHING")
    row = await LifecycleRequest.select().where(LifecycleRequest.request_key == key[:160]).first()
    if not rows:
        return row, False
    if action == "provision" and product["state"] == CREATED:
        await inventory.move(product, PENDING_ACTIVE, "provision.start", order_id=order_id)
    elif action == "terminate" and product["state"] in (ACTIVE, SUSPENDED):
        await inventory.move(product, PENDING_TERMINATE, "terminate.start", order_id=order_id)
    if hall is not None and not has_hook(hall, product, action):
        await LifecycleRequest.update(
            {LifecycleRequest.state: "done", LifecycleRequest.attempts: 1, LifecycleRequest.done_at: model.now()}
        ).where(LifecycleRequest.id == row["id"])
        await _apply_success(await inventory.get_product(product["id"]), row)
        row = await LifecycleRequest.select().where(LifecycleRequest.id == row["id"]).first()
    return row, True


async def _claim(request_id: int) -> dict | None:
    stamp = model.now()
    free = (LifecycleRequest.state == "pending") | (
        (LifecycleRequest.state == "running") & (LifecycleRequest.claimed_at < stamp - STALE)
    )
    rows = (
        await LifecycleRequest.update(
            {
                LifecycleRequest.state: "running",
                LifecycleRequest.attempts: LifecycleRequest.attempts + 1,
                LifecycleRequest.claimed_at: stamp,
            }
        )
        .where((LifecycleRequest.id == request_id) & free)
        .returning(LifecycleRequest.id)
    )
    if not rows:
        return None
    return await LifecycleRequest.select().where(LifecycleRequest.id == request_id).first()


async def _call_owner(hall, tenant, product: dict, req: dict) -> None:
    """Call the owning plugin's hook for the request; nothing to call is bookkeeping only."""
    from core.plugins import is_always_on

    spec = specification(hall, product["specification"])
    if spec is None:
        raise LifecycleFailed(f"no installed plugin declares the product specification {product['specification']!r}")
    hookname = HOOKS[req["action"]]
    if spec.plugin not in hall.plugins.implementers(hookname):
        return
    if not (is_always_on(spec.plugin) or tenant.enables(spec.plugin)):
        raise LifecycleFailed(f"plugin {spec.plugin!r}, which carries out {spec.code!r} products, is not enabled")
    call = LifecycleCall(
        key=req["request_key"],
        action=req["action"],
        params=dict(req["params"] or {}),
        attempt=req["attempts"],
        order_id=req["order_id"],
    )
    await await_each(
        hall.plugins.only(spec.plugin, hookname)(hall=hall, tenant=tenant, product=ProductView.of(product), call=call)
    )


async def _apply_success(product: dict, req: dict) -> None:
    action, params = req["action"], req["params"] or {}
    order_id = req["order_id"]
    values = {Product.problem: ""}
    if action == "provision" and product["state"] == PENDING_ACTIVE:
        await inventory.move(product, ACTIVE, "provision", values=values, order_id=order_id)
    elif action == "terminate" and product["state"] == PENDING_TERMINATE:
        await inventory.move(product, TERMINATED, "terminate", values=values, order_id=order_id)
    elif action == "suspend" and product["state"] in (ACTIVE, SUSPENDED):
        reasons = inventory.with_reason(product, params.get("reason", "customer"), add=True)
        values[Product.suspend_reasons] = reasons
        if product["state"] == ACTIVE:
            await inventory.move(product, SUSPENDED, "suspend", values=values, order_id=order_id, details=params)
        else:
            await Product.update(values).where(Product.id == product["id"])
            await inventory.record_event(
                product["id"], "suspend", SUSPENDED, SUSPENDED, order_id=order_id, details=params
            )
    elif action == "resume" and product["state"] == SUSPENDED:
        target, reasons = inventory.state_after_resume(product, params.get("reason", "customer"))
        values[Product.suspend_reasons] = reasons
        if target == ACTIVE:
            await inventory.move(product, ACTIVE, "resume", values=values, order_id=order_id, details=params)
        else:
            await Product.update(values).where(Product.id == product["id"])
            await inventory.record_event(
                product["id"], "resume", SUSPENDED, SUSPENDED, order_id=order_id, details=params
            )
    else:
        if action in ("renew", "modify") and params.get("characteristics"):
            chars = {**(product["characteristics"] or {}), **params["characteristics"]}
            values[Product.characteristics] = chars
        await Product.update(values).where(Product.id == product["id"])
        await inventory.record_event(
            product["id"], action, product["state"], product["state"], order_id=order_id, details=params
        )


async def run(hall, tenant, request_id: int) -> dict | None:
    """Carry out one request if it is free to run; returns the request as it ends (None: no such request)."""
    req = await _claim(request_id)
    if req is None:
        return await LifecycleRequest.select().where(LifecycleRequest.id == request_id).first()
    product = await inventory.get_product(req["product_id"])
    try:
        await _call_owner(hall, tenant, product, req)
    except Exception as exc:  # every failure is recorded with its reason, never swallowed
        reason = exc.reason if isinstance(exc, LifecycleFailed) else f"{type(exc).__name__}: {exc}"
        log.warning("tenant %s: %s of product %s failed: %s", tenant.id, req["action"], product["id"], reason)
        async with transaction():
            await _record_failure(hall, tenant, req, reason)
        return await LifecycleRequest.select().where(LifecycleRequest.id == request_id).first()
    async with transaction():
        done = (
            await LifecycleRequest.update(
                {LifecycleRequest.state: "done", LifecycleRequest.problem: "", LifecycleRequest.done_at: model.now()}
            )
            .where((LifecycleRequest.id == request_id) & (LifecycleRequest.state == "running"))
            .returning(LifecycleRequest.id)
        )
        if done:
            await _apply_success(await inventory.get_product(req["product_id"]), req)
            if req["order_id"] is not None:
                from core.products import orders

                await orders.request_finished(hall, tenant, req["order_id"])
    return await LifecycleRequest.select().where(LifecycleRequest.id == request_id).first()


async def _record_failure(hall, tenant, req: dict, reason: str) -> None:
    reason = (reason or "failed")[:500]
    await LifecycleRequest.update({LifecycleRequest.state: "failed", LifecycleRequest.problem: reason}).where(
        (LifecycleRequest.id == req["id"]) & (LifecycleRequest.state == "running")
    )
    await inventory.set_problem(req["product_id"], reason)
    await inventory.record_event(req["product_id"], "failed", details={"action": req["action"], "reason": reason})
    if req["order_id"] is not None:
        from core.products import orders

        await orders.hold(hall, tenant, req["order_id"], reason)


async def retry(hall, tenant, request_id: int) -> dict:
    """An operator's retry of a failed request (the console); runs it at once."""
    async with transaction():
        again = (
            await LifecycleRequest.update({LifecycleRequest.state: "pending"})
            .where((LifecycleRequest.id == request_id) & (LifecycleRequest.state == "failed"))
            .returning(LifecycleRequest.id, LifecycleRequest.order_id)
        )
        if not again:
            raise NotFound(N_("There is no failed step to retry."))
        if again[0]["order_id"] is not None:
            from core.products import orders

            await orders.resume_held(hall, tenant, again[0]["order_id"])
    return await run(hall, tenant, request_id)


async def run_pending(hall, tenant, *, order_id: int | None = None, limit: int = 100) -> int:
    """Run requests waiting (and those a dead worker left running); of one order, or all. Returns how many ran."""
    stale = model.now() - STALE
    query = LifecycleRequest.select(LifecycleRequest.id).where(
        (LifecycleRequest.state == "pending")
        | ((LifecycleRequest.state == "running") & (LifecycleRequest.claimed_at < stale))
    )
    if order_id is not None:
        query = query.where(LifecycleRequest.order_id == order_id)
    ran = 0
    for row in await query.order_by(LifecycleRequest.id).limit(limit):
        await run(hall, tenant, row["id"])
        ran += 1
    return ran


async def act(hall, tenant, product_id: int, action: str, *, key: str, params: dict | None = None) -> dict:
    """Ask for a lifecycle step outside any order (a suspension for arrears, a renewal) and run it now.

    Idempotent under ``key``: asking again returns the request as it stands
    (done, failed with its reason, or running), and a done one is not repeated.
    """
    async with transaction():
        product = await inventory.get_product(product_id)
        req, _ = await request(product, action, key=key, params=params, hall=hall)
    if req["state"] in ("pending", "running"):  # running: a stale claim is taken over, a live one left alone
        return await run(hall, tenant, req["id"]) or req
    return req
