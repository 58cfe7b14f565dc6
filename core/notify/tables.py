"""The message outbox: every e-mail and SMS is written here first, then delivered by a job."""

from __future__ import annotations

from piccolo.columns import Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from core.db.scoping import TenantTable


class Message(TenantTable, tablename="core_message"):
    channel = Varchar(length=8)  # email | sms
    recipient = Varchar(length=254)
    subject = Varchar(length=200, default="")
    body_text = Text()
    body_html = Text(default="")
    purpose = Varchar(length=32, default="")
    status = Varchar(length=12, default="pending", index=True)  # pending | sent | failed
    attempts = Integer(default=0)
    last_error = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    claimed_at = Timestamptz(null=True, default=None)  # when a sender took it; a stale claim is a crashed sender
    sent_at = Timestamptz(null=True, default=None)
