"""A per-process cache of rendered customer pages, checked against the database's data version on every request.

Why: rendering a page through Litestar and the hall's base template costs 3-5 ms of CPU; even the
anonymous shell reaches only a quarter of a bare Litestar page (docs/benchmarks.md). A hot page
that did not change is therefore served as stored bytes, before routing and middleware.
Why it is never stale: see :mod:`core.db.page_versions` and docs/architecture.md "Page cache".
"""

from core.web.pagecache.layer import CACHE_OPT, PageCache, PageHit, cached_page, keep_for_hits, page_fresh_until
from core.db.page_versions import bump_page_version, page_version

__all__ = [
    "CACHE_OPT",
    "PageCache",
    "PageHit",
    "bump_page_version",
    "cached_page",
    "keep_for_hits",
    "page_fresh_until",
    "page_version",
]
