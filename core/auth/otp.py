"""One-time codes: six digits, hashed, expiring, with a bounded number of guesses. Stored in the database.

Guesses are counted before a code is compared, atomically: a conditional
``UPDATE … SET attempts = attempts + 1 WHERE attempts < N`` either takes a
guess or finds none left, so N concurrent guesses at most are ever compared.
Each code also belongs to an *identity* (the customer), whose wrong guesses
across all its codes are capped per day (:data:`guess_rule`): asking for new
codes does not buy new guesses.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import NamedTuple

from core.auth import clock, throttle
from core.auth.tables import OneTimeCode


class Checked(NamedTuple):
    result: str  # ok | wrong | locked | expired | throttled
    row: dict | None
    retry_at: dt.datetime | None = None  # throttled: when this identity may guess again


def _hash(secret: str, flow: str, code: str) -> str:
    return hmac.new(secret.encode(), f"{flow}:{code}".encode(), hashlib.sha256).hexdigest()


def guess_rule(identity: str, per_day: int) -> throttle.Rule:
    """Guesses of one identity across all its codes: ``per_day`` within any 24 hours."""
    return throttle.Rule(f"otp:guess:{identity}", dt.timedelta(hours=24), limit=per_day)


async def issue(
    *, secret: str, purpose: str, subject: str, minutes: int, identity: str = "", payload: dict | None = None
) -> tuple[str, str]:
    """Create a code; returns (flow token for the next form, the code to send). Earlier codes for the same subject die."""
    now = clock.now()
    await OneTimeCode.update({OneTimeCode.used_at: now}).where(
        (OneTimeCode.purpose == purpose) & (OneTimeCode.subject == subject) & (OneTimeCode.used_at.is_null())
    )
    flow = secrets.token_urlsafe(24)
    code = f"{secrets.randbelow(10**6):06d}"
    await OneTimeCode.insert(
        OneTimeCode(
            purpose=purpose,
            subject=subject,
            code_hash=_hash(secret, flow, code),
            flow_hash=hashlib.sha256(flow.encode()).hexdigest(),
            payload={**(payload or {}), "identity": identity or f"{purpose}:{subject}"},
            created_at=now,
            expires_at=now + dt.timedelta(minutes=minutes),
        )
    )
    return flow, code


async def pending(purpose: str, flow: str) -> dict | None:
    """The live code row behind a flow token (not yet used, not expired), or None."""
    if not flow or len(flow) > 64:
        return None
    flow_hash = hashlib.sha256(flow.encode()).hexdigest()
    return (
        await OneTimeCode.select()
        .where(
            (OneTimeCode.flow_hash == flow_hash)
            & (OneTimeCode.purpose == purpose)
            & (OneTimeCode.used_at.is_null())
            & (OneTimeCode.expires_at > clock.now())
        )
        .first()
    )


async def _take_guess(row_id: int, max_attempts: int) -> int | None:
    """Spend one guess of a live code; the attempts so far including this one, or None if none was left."""
    taken = (
        await OneTimeCode.update({OneTimeCode.attempts: OneTimeCode.attempts + 1})
        .where(
            (OneTimeCode.id == row_id)
            & (OneTimeCode.attempts < max_attempts)
            & (OneTimeCode.used_at.is_null())
            & (OneTimeCode.expires_at > clock.now())
        )
        .returning(OneTimeCode.attempts)
    )
    return taken[0]["attempts"] if taken else None


async def check(*, secret: str, purpose: str, flow: str, code: str, max_attempts: int, guesses_per_day: int) -> Checked:
    """Compare a guess, counting it first (see the module docstring). A success consumes the code."""
    row = await pending(purpose, flow)
    if row is None:
        return Checked("expired", None)
    if row["attempts"] >= max_attempts:
        return Checked("locked", row)
    identity = (row["payload"] or {}).get("identity") or f"{purpose}:{row['subject']}"
    rule = guess_rule(identity, guesses_per_day)
    held = await throttle.reserve(rule)
    if not held.ok:
        return Checked("throttled", row, held.retry_at)
    attempts = await _take_guess(row["id"], max_attempts)
    if attempts is None:
        await throttle.release(held, rule.key)
        return Checked("locked", row)
    if hmac.compare_digest(row["code_hash"], _hash(secret, flow, code.strip())):
        await throttle.release(held, rule.key)  # only wrong guesses count against the identity
        used = (
            await OneTimeCode.update({OneTimeCode.used_at: clock.now()})
            .where((OneTimeCode.id == row["id"]) & (OneTimeCode.used_at.is_null()))
            .returning(OneTimeCode.id)
        )
        return Checked("ok", row) if used else Checked("expired", None)
    return Checked("locked" if attempts >= max_attempts else "wrong", row)
