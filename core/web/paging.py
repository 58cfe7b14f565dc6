"""Paged lists (the console's logs and searches, plugins' lists): one page size, one ``?page=`` parser, one pager link.

A page handler asks for one row more than a page (``limit(PAGE_SIZE + 1)``) to know
whether there is a next page without counting the whole table.
"""

from __future__ import annotations

from urllib.parse import urlencode

from litestar import Request

from core.web.numbers import query_int

PAGE_SIZE = 50
MAX_PAGE = 100_000  # far past any real list, and (MAX_PAGE - 1) * PAGE_SIZE is an OFFSET every database takes


def page_number(request: Request) -> int:
    """``?page=``: 1 when absent; a 400 with a message when it is not a page number (``²``, ``-1``, 10**30)."""
    return query_int(request, "page", default=1, high=MAX_PAGE)


def page_url(request: Request):
    """``page_url(n)``: the current query string with page=n (for the pager)."""
    params = {k: v for k, v in request.query_params.items() if k != "page"}
    return lambda n: "?" + urlencode({**params, "page": n})
