"""The message outbox: every e-mail and SMS is written here first, then delivered by a job.

SMS also keep one row per part the SMS centre accepted (``SmsPart``, with the centre's
message id, so a retry never sends an accepted part again and a delivery receipt finds its
message) and the rate-limit counters (``SmsQuota``, one row per key and window, counted
atomically by ``core.notify.quota``).
"""

from __future__ import annotations

from piccolo.columns import JSON, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from core.db.scoping import TenantTable


class Message(TenantTable, tablename="core_message"):
    channel = Varchar(length=8)  # email | sms
    recipient = Varchar(length=254)
    subject = Varchar(length=200, default="")
    body_text = Text()
    body_html = Text(default="")
    purpose = Varchar(length=32, default="")
    # pending (queued) | sending | sent (accepted by the SMSC / SMTP server) | delivered (SMS receipt) | failed
    status = Varchar(length=12, default="pending", index=True)
    attempts = Integer(default=0)
    last_error = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    claimed_at = Timestamptz(null=True, default=None)  # when a sender took it; a stale claim is a crashed sender
    sent_at = Timestamptz(null=True, default=None)
    params = JSON(default="{}")  # the values the text was made from (code, minutes, …): cloud templates take these
    provider = Varchar(length=16, default="")  # which SMS provider took it (demo, smpp, aliyun, …)
    parts = Integer(default=0)  # SMS parts (a long Chinese text is several 67-character parts)
    next_attempt_at = Timestamptz(null=True, default=None)  # a retry waits until then
    delivered_at = Timestamptz(null=True, default=None)
    report = Varchar(length=32, default="")  # the last delivery report (DELIVRD, UNDELIV, …)


class SmsPart(TenantTable, tablename="core_sms_part"):
    message = Integer()
    part = Integer()  # 1-based
    provider_id = Varchar(length=80)  # the SMS centre's message id (SMPP) or the cloud's BizId
    status = Varchar(length=12, default="accepted")  # accepted | delivered | failed
    report = Varchar(length=32, default="")
    accepted_at = Timestamptz(default=TimestamptzNow())
    reported_at = Timestamptz(null=True, default=None)

    UNIQUE_TOGETHER = (("tenant", "message", "part"),)
    INDEX_TOGETHER = (("tenant", "provider_id"),)


class SmsQuota(TenantTable, tablename="core_sms_quota"):
    scope = Varchar(length=80)  # "dest:<number>" or "tenant"
    window_start = Timestamptz()
    used = Integer(default=0)

    UNIQUE_TOGETHER = (("tenant", "scope", "window_start"),)
