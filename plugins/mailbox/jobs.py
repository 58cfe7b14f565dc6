"""The mailbox jobs: remove the mail of mailboxes stopped longer than the retention period; rewrite the
passwd-file from the table (heals a write that failed while the share was away)."""

from __future__ import annotations

import logging

from core.api.db import transaction

from . import publishing, userdb
from .services import now
from .tables import Mailbox

log = logging.getLogger("hall.mailbox")


async def purge(hall, tenant_id: str, **_) -> int:
    """Mailboxes stopped whose keep_until has passed: mail deleted, state ``removed``; returns how many."""
    tenant = hall.tenants.get(tenant_id)
    settings = tenant.plugin_settings("mailbox")
    due = await Mailbox.select().where((Mailbox.state == "stopped") & (Mailbox.keep_until <= now()))
    removed = 0
    for box in due:
        try:
            userdb.remove_mail(settings, box["local_part"])
        except (OSError, ValueError) as exc:
            log.warning("mailbox: the mail of %s could not be removed: %s", box["address"], exc)
            continue
        async with transaction():
            done = (
                await Mailbox.update({Mailbox.state: "removed", Mailbox.updated_at: now()})
                .where((Mailbox.id == box["id"]) & (Mailbox.state == "stopped"))
                .returning(Mailbox.id)
            )
            if done:
                await publishing.event("mailbox.removed", {**box, "state": "removed"}, key=f"removed:{box['id']}")
                removed += 1
    return removed


async def republish(hall, tenant_id: str, **_) -> None:
    settings = hall.tenants.get(tenant_id).plugin_settings("mailbox")
    if settings.domain:
        await publishing.try_publish(settings)
