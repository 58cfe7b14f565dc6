"""A message from a plugin to a person (order confirmations, shipping news): the outbox row, in the caller's transaction.

Written with the change it reports, the message exists exactly when that
change committed; the job ``core.deliver_messages`` sends it, retrying a
failed delivery. An SMS goes through the tenant's SMS provider with the limits
every SMS has (``[sms] per_destination_per_hour`` per number,
``per_tenant_per_minute`` per hall; core/notify/sms/delivery.py).
"""

from __future__ import annotations

import re

from core.notify.outbox import queue

CHANNELS = ("email", "sms")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"\+?\d{5,20}")


async def queue_message(
    *,
    channel: str,
    recipient: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    purpose: str = "",
    params: dict | None = None,
) -> int:
    """Queue one e-mail or SMS for the current tenant; its id. ValueError for an unknown channel or a malformed recipient.

    ``purpose`` (at most 32 characters, e.g. ``shop_order``) is what the console's message list shows it as;
    ``params`` the values the text was made from (a cloud SMS template is filled with them). Never put a secret
    (a PIN, a password) in a message: it is stored, listed to operators and sent in the clear.
    """
    recipient = (recipient or "").strip()
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}: one of {CHANNELS}")
    if not (_EMAIL if channel == "email" else _PHONE).fullmatch(recipient):
        raise ValueError(f"not a valid {channel} recipient")
    if len(purpose) > 32:
        raise ValueError("purpose: at most 32 characters")
    return await queue(
        channel=channel,
        recipient=recipient,
        subject=subject[:200],
        body_text=body_text,
        body_html=body_html,
        purpose=purpose,
        params=params,
    )
