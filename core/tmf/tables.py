"""OAuth clients registered by operators, the tokens issued to them and the short-lived authorization codes.

Tokens, codes and client secrets are stored only as a keyed hash (HMAC-SHA256 with the deployment's secret,
core/tmf/tokens.py): a copy of the database hands out no usable credential.
"""

from __future__ import annotations

from piccolo.columns import JSON, BigInt, Boolean, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from core.db.scoping import TenantTable

APP, PARTNER, KIOSK = "app", "partner", "kiosk"
KINDS = (APP, PARTNER, KIOSK)


class ApiClient(TenantTable, tablename="core_api_client"):
    client_id = Varchar(length=40)
    name = Varchar(length=100)
    kind = Varchar(length=16, default=APP)  # app (authorization code + PKCE) | partner | kiosk (client credentials)
    secret_hash = Varchar(length=64, default="")  # "" for a public client (an app: PKCE instead of a secret)
    redirect_uris = JSON(default="[]")
    scopes = JSON(default="[]")
    rate_per_minute = Integer(default=120)
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    rotated_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    last_seen_at = Timestamptz(null=True, default=None)  # a kiosk's last heartbeat
    last_status = Varchar(length=200, default="")  # what the kiosk said with it
    UNIQUE_TOGETHER = (("tenant", "client_id"),)


class ApiToken(TenantTable, tablename="core_api_token"):
    token_hash = Varchar(length=64)
    kind = Varchar(length=8, default="access")  # access | refresh
    client = Integer()  # ApiClient.id
    customer = Integer(null=True, default=None)  # CustomerAccount.id; None for client credentials
    scopes = JSON(default="[]")
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz(default=TimestamptzNow())
    revoked_at = Timestamptz(null=True, default=None)
    UNIQUE_TOGETHER = (("tenant", "token_hash"),)
    INDEX_TOGETHER = (("tenant", "client"),)


class ApiCode(TenantTable, tablename="core_api_code"):
    code_hash = Varchar(length=64)
    client = Integer()
    customer = Integer()
    redirect_uri = Varchar(length=500, default="")
    scopes = JSON(default="[]")
    code_challenge = Varchar(length=128, default="")
    expires_at = Timestamptz(default=TimestamptzNow())
    used_at = Timestamptz(null=True, default=None)
    UNIQUE_TOGETHER = (("tenant", "code_hash"),)


class ApiListener(TenantTable, tablename="core_api_listener"):
    """A partner's TMF hub registration: where to send events, and which (``query``: event types, "" for all)."""

    client = Integer()  # ApiClient.id
    callback = Varchar(length=500)
    query = Varchar(length=500, default="")
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class ApiDelivery(TenantTable, tablename="core_api_delivery"):
    """One event for one listener, delivered like the legacy outbox: claimed, retried with back-off, dead at last."""

    event_id = Varchar(length=36)
    listener = Integer()  # ApiListener.id
    kind = Varchar(length=64)  # TMF event type, e.g. PaymentCreateEvent
    payload = JSON(default={})
    status = Varchar(length=12, default="pending")  # pending | delivering | delivered | dead
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(default=TimestamptzNow())
    claimed_at = Timestamptz(null=True, default=None)
    last_error = Varchar(length=500, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    delivered_at = Timestamptz(null=True, default=None)
    UNIQUE_TOGETHER = (("tenant", "event_id", "listener"),)
    INDEX_TOGETHER = (("tenant", "status", "next_attempt_at"),)


class ApiWatermark(TenantTable, tablename="core_api_watermark"):
    """How far the hub has read a table for its events (``bills``: the last ``core_bill.id`` told), per tenant.

    Advanced in the transaction that queues the events, so a crash re-tells nothing and misses nothing.
    """

    kind = Varchar(length=32)
    last_id = BigInt(default=0)
    updated_at = Timestamptz(default=TimestamptzNow())
    UNIQUE_TOGETHER = (("tenant", "kind"),)


TABLES = [ApiClient, ApiToken, ApiCode, ApiListener, ApiDelivery, ApiWatermark]
