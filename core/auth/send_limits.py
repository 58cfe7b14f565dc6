"""Limits on sending one-time codes: per destination, per customer and per client address, all in the database.

Per destination (the number or e-mail address) and per identity (the customer,
whatever the flow: sign-up, reset, step-up): the first code goes at once, the
next after ``code_resend_seconds``, and the wait doubles with every code within
24 hours up to ``code_max_wait_minutes``; at most ``code_sends_per_day`` within
24 hours. Per client address: ``code_sends_per_address_hour``, no wait (many
customers share an address behind NAT). The send is reserved before the code
is made, atomically (core/auth/throttle.py), so concurrent requests cannot
slip past a limit.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from core.auth import throttle

DAY = dt.timedelta(hours=24)


def destination_key(recipient: str) -> str:
    """Numbers and e-mail addresses are not stored in the throttle table: their SHA-256 is."""
    return hashlib.sha256(recipient.strip().lower().encode()).hexdigest()[:40]


def rules(security, *, recipient: str, identity: str, address: str) -> list[throttle.Rule]:
    first, longest = (
        dt.timedelta(seconds=security.code_resend_seconds),
        dt.timedelta(minutes=security.code_max_wait_minutes),
    )
    per_day = security.code_sends_per_day
    found = [
        throttle.Rule(
            f"send:dest:{destination_key(recipient)}", DAY, limit=per_day, free=1, delay=first, max_delay=longest
        )
    ]
    if identity:
        found.append(throttle.Rule(f"send:id:{identity}", DAY, limit=per_day, free=1, delay=first, max_delay=longest))
    found.append(
        throttle.Rule(f"send:addr:{address}", dt.timedelta(hours=1), limit=security.code_sends_per_address_hour)
    )
    return found


async def reserve_send(security, *, recipient: str, identity: str, address: str) -> throttle.Reservation:
    """Count one code to ``recipient`` for ``identity`` asked from ``address``; refused with the time it may be asked again."""
    return await throttle.reserve(*rules(security, recipient=recipient, identity=identity, address=address))
