"""The billpay page's budget: SQL statements and hook calls for one request, counted, not timed (see tests/plugins/bills/test_request_budgets.py)."""

from __future__ import annotations

from billpay_support import customer_client

from core.api.testing import measure_requests

# 10 and 2 when written (the account's numbers are read twice); + 1 now that the page is cached: a miss reads the
# page version first (through the raw driver on SQLite, not counted; through the query path on PostgreSQL in the tests)
MOST_STATEMENTS, MOST_HOOK_CALLS = 11, 2


def test_the_billpay_page_stays_within_its_statement_and_hook_budget(world):
    harness, _, ids = world
    client = customer_client(harness, ids)
    assert client.get("/billpay/").status_code == 200  # warm
    pages = client.http.app.state.get("page_cache")
    if pages is not None:  # the rendering path's budget (a stored page's: test_billpay_page_cache.py)
        pages.store.clear()
    with measure_requests(harness.hall) as cost:
        assert client.get("/billpay/").status_code == 200
    assert cost.statements <= MOST_STATEMENTS and cost.hook_calls <= MOST_HOOK_CALLS, cost.report()
