"""Putting the hall's mailboxes into Dovecot (the passwd-file of the tenant's domain) and telling the BSS."""

from __future__ import annotations

import logging
import uuid

from core.api.legacy import OutboxEvent, emit
from core.api.products import LifecycleFailed

from . import userdb
from .tables import IN_DOVECOT, Mailbox

log = logging.getLogger("hall.mailbox")
EVENT_IDS = uuid.UUID("3b0f6f52-57a4-4f43-9d0e-6a4c2e1f8d21")


async def rows_to_publish(domain: str) -> list[dict]:
    return await Mailbox.select().where((Mailbox.domain == domain) & Mailbox.state.is_in(list(IN_DOVECOT)))


async def publish(settings) -> int:
    """Rewrite the domain's passwd-file from the table; raises OSError when it cannot be written."""
    if not settings.domain:
        raise OSError("no mail domain is configured ([plugins.mailbox] domain)")
    return await userdb.publish(settings, lambda: rows_to_publish(settings.domain))


async def publish_or_fail(settings) -> None:
    """For lifecycle hooks: the mail server must be up and the file written, else the step failed (retried)."""
    if settings.check_server and not userdb.reachable(settings.imap_host, settings.imap_port):
        raise LifecycleFailed(f"mail server not reachable at {settings.imap_host}:{settings.imap_port}")
    try:
        await publish(settings)
    except (OSError, ValueError) as exc:
        raise LifecycleFailed(f"mail server user database not written: {exc}") from exc


async def try_publish(settings) -> bool:
    """For the customer's changes: True when Dovecot has it now; False when the job will write it later."""
    try:
        await publish(settings)
        return True
    except (OSError, ValueError) as exc:
        log.warning("mailbox: the passwd-file of %s could not be written now: %s", settings.domain, exc)
        return False


def event_id(key: str) -> str:
    return str(uuid.uuid5(EVENT_IDS, key))


async def event(kind: str, box: dict, *, key: str, **extra) -> None:
    """An account event for the BSS (inside the caller's transaction), once per key."""
    eid = event_id(f"{kind}:{key}")
    if await OutboxEvent.exists().where(OutboxEvent.event_id == eid):
        return
    await emit(
        kind,
        {
            "mailbox": box["address"],
            "customer_id": box["customer_legacy_id"],
            "number": box["billing_number"],
            "offering": box["offering_code"],
            "quota_mb": box["quota_mb"],
            "state": box["state"],
            **extra,
        },
        event_id=eid,
    )
