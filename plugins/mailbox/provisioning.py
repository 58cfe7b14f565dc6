"""The lifecycle hooks of ``mailbox`` products: provision, suspend, resume, terminate, renew in Dovecot.

Each is idempotent under the request's key: the Mailbox row moves only from
the states the step starts from, the passwd-file is rebuilt whole from the
table (writing it twice writes the same file), and the BSS's event id is
derived from the key. A mail server that is down, or a users directory that
is missing, raises LifecycleFailed: the core keeps the step failed with the
reason and operators retry it from the console.
"""

from __future__ import annotations

import datetime as dt

from core.api.db import transaction
from core.api.products import LifecycleFailed

from . import publishing
from .services import now
from .tables import Mailbox


async def _box(product) -> dict:
    box_id = (product.characteristics or {}).get("mailbox_id")
    row = None
    if box_id:
        row = await Mailbox.select().where(Mailbox.id == int(box_id)).first()
    if row is None:
        row = await Mailbox.select().where(Mailbox.product_id == product.id).first()
    if row is None:
        raise LifecycleFailed(f"no mailbox application belongs to product {product.id}")
    return row


async def _move(box: dict, sources: tuple[str, ...], target: str, **values) -> dict:
    update = {Mailbox.state: target, Mailbox.updated_at: now()}
    for name, value in values.items():
        update[getattr(Mailbox, name)] = value
    await Mailbox.update(update).where((Mailbox.id == box["id"]) & Mailbox.state.is_in(list(sources)))
    return await Mailbox.select().where(Mailbox.id == box["id"]).first()


async def provision(tenant, product, call) -> None:
    settings = tenant.plugin_settings("mailbox")
    box = await _box(product)
    if box["state"] in ("stopped", "removed", "rejected"):
        raise LifecycleFailed(f"mailbox {box['address']} is {box['state']}; it cannot be opened")
    async with transaction():
        box = await _move(box, ("applied", "active"), "active", product_id=product.id)
    await publishing.publish_or_fail(settings)
    async with transaction():
        await publishing.event("mailbox.opened", box, key=call.key)


async def suspend(tenant, product, call) -> None:
    settings = tenant.plugin_settings("mailbox")
    box = await _box(product)
    async with transaction():
        box = await _move(box, ("active", "suspended"), "suspended")
    await publishing.publish_or_fail(settings)
    async with transaction():
        await publishing.event("mailbox.suspended", box, key=call.key, reason=call.params.get("reason", "customer"))


async def resume(tenant, product, call) -> None:
    """Open again only when no other suspension reason is left (paying arrears does not undo the customer's own)."""
    settings = tenant.plugin_settings("mailbox")
    box = await _box(product)
    left = set(product.suspend_reasons) - {call.params.get("reason", "customer")}
    if left:
        return
    async with transaction():
        box = await _move(box, ("suspended", "active"), "active")
    await publishing.publish_or_fail(settings)
    async with transaction():
        await publishing.event("mailbox.resumed", box, key=call.key, reason=call.params.get("reason", "customer"))


async def terminate(tenant, product, call) -> None:
    """Out of Dovecot at once (log-in fails); the mail stays for ``retention_days``, then the purge job removes it."""
    settings = tenant.plugin_settings("mailbox")
    box = await _box(product)
    keep = now() + dt.timedelta(days=settings.retention_days)
    async with transaction():
        box = await _move(box, ("applied", "active", "suspended"), "stopped", keep_until=keep)
    await publishing.publish_or_fail(settings)
    async with transaction():
        await publishing.event("mailbox.stopped", box, key=call.key, keep_until=(box["keep_until"] or keep).isoformat())


async def renew(tenant, product, call) -> None:
    box = await _box(product)
    async with transaction():
        await publishing.event(
            "mailbox.renewed", box, key=call.key, **{k: v for k, v in call.params.items() if k != "characteristics"}
        )
