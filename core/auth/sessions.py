"""Database-backed sessions: any worker can serve any request, and sessions survive restarts.

The cookie holds a random token; the table holds only its SHA-256, so a leaked
table cannot be replayed as cookies.

Every request looks its session up, so a worker keeps the rows it read for
:data:`CACHE_SECONDS` (the table stays the source of truth). The trade-off: a
log-out, a password change or an expiry decided in *another* worker reaches this
one at most ``CACHE_SECONDS`` later; in the worker that made it, at once (it drops
its own entries). Only live sessions are cached, never a miss, and the cache is
bounded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import time

from core.auth.tables import Session
from core.db.engine import fetch_scoped
from core.tenancy import current_tenant

COOKIE = "hall_session"
REFRESH_AFTER = dt.timedelta(hours=1)
CACHE_SECONDS = 5.0  # the longest a session ended in another worker is still honoured here
CACHE_MAX = 10_000  # entries per worker; past that, expired entries go, then all

_cache: dict[tuple[str, str], tuple[float, dict]] = {}  # (tenant, token hash) -> (read at, row)

_SELECT = (
    "SELECT id, kind, principal_id, data, expires_at FROM core_session"
    " WHERE tenant = {tenant} AND token_hash = {} AND expires_at > {}"
)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


async def create_session(kind: str, principal_id: int, days: int, data: dict | None = None) -> str:
    token = secrets.token_urlsafe(32)
    await Session.insert(
        Session(
            token_hash=_hash(token),
            kind=kind,
            principal_id=principal_id,
            data=data or {},
            created_at=now(),
            expires_at=now() + dt.timedelta(days=days),
        )
    )
    return token


async def load_session(token: str | None) -> dict | None:
    """The live session row for ``token`` in the current tenant, or None (at most CACHE_SECONDS old)."""
    if not token or len(token) > 100:
        return None
    tenant = current_tenant()
    if tenant is None:  # same rule as the query builder's scoping: no tenant, no session
        raise RuntimeError("load_session needs a current tenant")
    key = (tenant.id, _hash(token))
    clock = time.monotonic()
    hit = _cache.get(key)
    if hit is not None and clock - hit[0] < CACHE_SECONDS:
        row = hit[1]
        if row["expires_at"] > now():
            return row
    rows = await fetch_scoped(_SELECT, key[1], now())
    if not rows:
        _cache.pop(key, None)
        return None
    row = rows[0]
    if isinstance(row["data"], str):
        row["data"] = json.loads(row["data"])
    _remember(key, clock, row)
    return row


def _remember(key: tuple[str, str], clock: float, row: dict) -> None:
    if len(_cache) >= CACHE_MAX:
        for k in [k for k, (t, _) in _cache.items() if clock - t >= CACHE_SECONDS]:
            del _cache[k]
        if len(_cache) >= CACHE_MAX:
            _cache.clear()
    _cache[key] = (clock, row)


def _forget(match) -> None:
    """Drop this worker's cached sessions that ``match(tenant, token_hash, row)``."""
    for k in [k for k, (_, row) in _cache.items() if match(k[0], k[1], row)]:
        _cache.pop(k, None)


def _tenant_id() -> str | None:
    tenant = current_tenant()
    return tenant.id if tenant is not None else None


async def touch_session(row: dict, days: int) -> None:
    """Slide the expiry, at most once an hour per session (keeps writes off the hot path)."""
    new_expiry = now() + dt.timedelta(days=days)
    if new_expiry - row["expires_at"] > REFRESH_AFTER:
        await Session.update({Session.expires_at: new_expiry}).where(Session.id == row["id"])
        row["expires_at"] = new_expiry  # the cached copy too: no second write within the hour


async def set_session_data(session_id: int, data: dict) -> None:
    """Replace a session's data (its language, say); this worker's cached copy goes with it."""
    await Session.update({Session.data: data}).where(Session.id == session_id)
    tid = _tenant_id()
    _forget(lambda t, _h, row: row["id"] == session_id and tid in (None, t))


async def end_session(token: str | None) -> None:
    if token:
        hashed = _hash(token)
        await Session.delete().where(Session.token_hash == hashed)
        _forget(lambda _t, h, _row: h == hashed)


async def end_sessions_of(kind: str, principal_id: int, keep_token: str | None = None) -> None:
    """Log a principal out everywhere (after a password reset), optionally keeping the current session.

    Other workers drop the ended sessions within CACHE_SECONDS.
    """
    query = Session.delete().where((Session.kind == kind) & (Session.principal_id == principal_id))
    keep = _hash(keep_token) if keep_token else None
    if keep:
        query = query.where(Session.token_hash != keep)
    await query
    tid = _tenant_id()
    _forget(
        lambda t, h, row: tid in (None, t) and row["kind"] == kind and row["principal_id"] == principal_id and h != keep
    )
