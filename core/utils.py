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
