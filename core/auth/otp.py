"""One-time codes: six digits, hashed, expiring, with a bounded number of guesses. Stored in the database."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from core.auth.tables import OneTimeCode


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _hash(secret: str, flow: str, code: str) -> str:
    return hmac.new(secret.encode(), f"{flow}:{code}".encode(), hashlib.sha256).hexdigest()


async def issue(*, secret: str, purpose: str, subject: str, minutes: int, payload: dict | None = None) -> tuple[str, str]:
    """Create a code; returns (flow token for the next form, the code to send). Earlier codes for the same subject die."""
    await OneTimeCode.update({OneTimeCode.used_at: _now()}).where(
        (OneTimeCode.purpose == purpose) & (OneTimeCode.subject == subject) & (OneTimeCode.used_at.is_null())
    )
    flow = secrets.token_urlsafe(24)
    code = f"{secrets.randbelow(10**6):06d}"
    await OneTimeCode.insert(OneTimeCode(
        purpose=purpose, subject=subject, code_hash=_hash(secret, flow, code),
        flow_hash=hashlib.sha256(flow.encode()).hexdigest(), payload=payload or {},
        created_at=_now(), expires_at=_now() + dt.timedelta(minutes=minutes),
    ))
    return flow, code


async def pending(purpose: str, flow: str) -> dict | None:
    """The live code row behind a flow token (not yet used, not expired), or None."""
    if not flow or len(flow) > 64:
        return None
    flow_hash = hashlib.sha256(flow.encode()).hexdigest()
    return await OneTimeCode.select().where(
        (OneTimeCode.flow_hash == flow_hash) & (OneTimeCode.purpose == purpose)
        & (OneTimeCode.used_at.is_null()) & (OneTimeCode.expires_at > _now())
    ).first()


async def check(*, secret: str, purpose: str, flow: str, code: str, max_attempts: int) -> tuple[str, dict | None]:
    """Returns ("ok", row) | ("wrong", row) | ("expired", None) | ("locked", row). A success consumes the code."""
    row = await pending(purpose, flow)
    if row is None:
        return "expired", None
    if row["attempts"] >= max_attempts:
        return "locked", row
    if hmac.compare_digest(row["code_hash"], _hash(secret, flow, code.strip())):
        used = await OneTimeCode.update({OneTimeCode.used_at: _now()}).where(
            (OneTimeCode.id == row["id"]) & (OneTimeCode.used_at.is_null())
        ).returning(OneTimeCode.id)
        return ("ok", row) if used else ("expired", None)
    await OneTimeCode.update({OneTimeCode.attempts: OneTimeCode.attempts + 1}).where(OneTimeCode.id == row["id"])
    return ("locked" if row["attempts"] + 1 >= max_attempts else "wrong"), row
