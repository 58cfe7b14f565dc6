"""Small helpers shared across the core."""

from __future__ import annotations

import inspect
from typing import Any


async def await_me_maybe(value: Any) -> Any:
    """Resolve a hook result that may be a value, a callable or an awaitable (pluggy has no async hooks)."""
    if callable(value) and not isinstance(value, type):
        value = value()
    if inspect.isawaitable(value):
        value = await value
    return value


async def await_each(results) -> list:
    """Resolve every hook result in order (:func:`await_me_maybe`).

    If one raises, the coroutines not reached yet are closed before the error
    goes on: pluggy created them all when it called the hook, and left alone
    they would only warn "never awaited" - the error is what the caller sees.
    """
    pending = list(results)
    out: list = []
    try:
        while pending:
            out.append(await await_me_maybe(pending.pop(0)))
    finally:
        for left in pending:
            if inspect.iscoroutine(left):
                left.close()
    return out


def flatten(results: list) -> list:
    """Hooks return lists; pluggy collects a list of them."""
    out: list = []
    for r in results:
        if r is None:
            continue
        if isinstance(r, (list, tuple)):
            out.extend(r)
        else:
            out.append(r)
    return out
