"""Budgets of the hot customer pages: SQL statements and hook calls per request, counted, not timed.

The numbers are today's counts with a little room. A change that adds a query
per row or a hook per item fails here long before a benchmark would notice.
"""

from __future__ import annotations

import pytest
from bills_support import customer_client

from core.api.testing import measure_requests

# page -> (most statements, most hook calls) for one request of a logged-in customer, warmed up
BUDGETS = {
    "/account": (6, 2),  # 5 and 2 when written
    "/bills/": (4, 3),  # 3 and 3
    "/bills/{number}/2024-04": (4, 3),  # 3 and 3
    "/bills/{number}/calls": (7, 2),  # 6 and 2
}


@pytest.mark.parametrize("page", sorted(BUDGETS))
def test_a_hot_page_stays_within_its_statement_and_hook_budget(world, page):
    harness, ids = world
    client = customer_client(harness, ids)
    path = page.format(number=ids["alpha"]["numbers"][0])
    assert client.get(path).status_code == 200  # warm: templates compiled, per-tenant caches filled
    pages = client.http.app.state.get("page_cache")
    if pages is not None:  # the rendering path's budget (a stored page's: test_page_cache.py, one read, no hook)
        pages.store.clear()
    with measure_requests(harness.hall) as cost:
        answer = client.get(path)
    assert answer.status_code == 200
    most_statements, most_hooks = BUDGETS[page]
    assert cost.statements <= most_statements and cost.hook_calls <= most_hooks, cost.report()
