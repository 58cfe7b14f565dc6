"""Password checks throttled without lock-outs (customer log-in, console log-in, password change).

Three keys, each a :class:`core.auth.throttle.Rule` with a growing wait and no hard cap:

* the account *from this address* (``pair``): ``login_max_failures`` free failures,
  then ``login_first_wait_seconds``, doubling up to ``login_window_minutes``;
* this address over all accounts (``addr``): 4x the free failures, same waits;
* the account from addresses it never logged in from (``acct``): 10x the free failures, and
  waits of at most ``login_account_max_wait_seconds`` - it slows an attack spread over many
  addresses but never shuts the account.

An address the account logged in from in the last 30 days (``known``) skips the account-wide
key: an attacker elsewhere cannot make the owner wait at home. The attempt is reserved
*before* the password is checked, so concurrent wrong passwords cannot all be checked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Awaitable, Callable

from core.auth import throttle

KNOWN_FOR = dt.timedelta(days=30)


@dataclass
class Outcome:
    ok: bool  # the password was checked and right
    retry_at: dt.datetime | None = None  # not checked: too many attempts, try again at this time


def _rules(security, scope: str, account: str, address: str, known: bool) -> list[throttle.Rule]:
    memory = dt.timedelta(hours=security.login_memory_hours)
    first, longest = (
        dt.timedelta(seconds=security.login_first_wait_seconds),
        dt.timedelta(minutes=security.login_window_minutes),
    )
    free = security.login_max_failures
    rules = [
        throttle.Rule(f"{scope}:pair:{account}|{address}", memory, free=free, delay=first, max_delay=longest),
        throttle.Rule(f"{scope}:addr:{address}", memory, free=free * 4, delay=first, max_delay=longest),
    ]
    if not known:
        rules.append(
            throttle.Rule(
                f"{scope}:acct:{account}",
                memory,
                free=free * 10,
                delay=first,
                max_delay=min(longest, dt.timedelta(seconds=security.login_account_max_wait_seconds)),
            )
        )
    return rules


async def attempt(
    security, *, scope: str, account: str, address: str, verify: Callable[[], Awaitable[bool]]
) -> Outcome:
    """Reserve an attempt for ``account`` from ``address``, then run ``verify`` (the password check) if allowed."""
    known_key = f"{scope}:known:{account}|{address}"
    rules = _rules(security, scope, account, address, await throttle.remembered(known_key))
    held = await throttle.reserve(*rules)
    if not held.ok:
        return Outcome(False, held.retry_at)
    if not await verify():
        return Outcome(False)  # the reserved rows stay: they are the failure
    await throttle.clear(rules[0].key)  # the owner from this address starts afresh
    await throttle.release(held, *(r.key for r in rules[1:]))
    await throttle.remember(known_key, KNOWN_FOR)
    return Outcome(True)
