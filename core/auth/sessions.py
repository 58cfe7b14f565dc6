"""Database-backed sessions: any worker can serve any request, and sessions survive restarts.

The cookie holds a random token; the table holds only its SHA-256, so a leaked
table cannot be replayed as cookies.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from core.auth.tables import Session

COOKIE = "hall_session"
REFRESH_AFTER = dt.timedelta(hours=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


async def create_session(kind: str, principal_id: int, days: int, data: dict | None = None) -> str:
    token = secrets.token_urlsafe(32)
    await Session.insert(Session(token_hash=_hash(token), kind=kind, principal_id=principal_id, data=data or {},
                                 created_at=now(), expires_at=now() + dt.timedelta(days=days)))
    return token


async def load_session(token: str | None) -> dict | None:
    """The live session row for ``token`` in the current tenant, or None."""
    if not token or len(token) > 100:
        return None
    row = await Session.select(Session.id, Session.kind, Session.principal_id, Session.data, Session.expires_at).where(
        (Session.token_hash == _hash(token)) & (Session.expires_at > now())
    ).first()
    return row


async def touch_session(row: dict, days: int) -> None:
    """Slide the expiry, at most once an hour per session (keeps writes off the hot path)."""
    new_expiry = now() + dt.timedelta(days=days)
    if new_expiry - row["expires_at"] > REFRESH_AFTER:
        await Session.update({Session.expires_at: new_expiry}).where(Session.id == row["id"])


async def end_session(token: str | None) -> None:
    if token:
        await Session.delete().where(Session.token_hash == _hash(token))


async def end_sessions_of(kind: str, principal_id: int, keep_token: str | None = None) -> None:
    """Log a principal out everywhere (after a password reset), optionally keeping the current session."""
    query = Session.delete().where((Session.kind == kind) & (Session.principal_id == principal_id))
    if keep_token:
        query = query.where(Session.token_hash != _hash(keep_token))
    await query
