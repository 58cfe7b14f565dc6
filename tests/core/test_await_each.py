"""Hook results resolved in order; when one raises, the coroutines not reached are closed, not left to warn."""

from __future__ import annotations

import asyncio
import warnings

import pytest

from core.utils import await_each


def test_values_callables_and_coroutines_in_order():
    async def later(x):
        return x

    assert asyncio.run(await_each([1, lambda: 2, later(3)])) == [1, 2, 3]


def test_an_error_closes_the_rest_without_a_never_awaited_warning():
    ran = []

    async def fails():
        raise ValueError("first plugin failed")

    async def second():
        ran.append("second")

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "coroutine … was never awaited" would be a RuntimeWarning
        with pytest.raises(ValueError, match="first plugin failed"):
            asyncio.run(await_each([fails(), second()]))
    assert ran == []
