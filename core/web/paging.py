"""One pager for every list page: ``?page=`` parsed safely, one row more than a page fetched to know if there is more.

Handlers call :func:`paginate` with an unexecuted Piccolo select (already filtered and ordered) and
hand the :class:`Page` to the template, which includes ``_pager.html``. No COUNT(*) over big tables:
"more" comes from the extra row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import urlencode

from litestar import Request

from core.web.numbers import query_int

PAGE_SIZE = 50
MAX_PAGE = 100_000  # far past any real list, and (MAX_PAGE - 1) * PAGE_SIZE is an OFFSET every database takes


def page_number(request: Request) -> int:
    """``?page=``: 1 when absent; a 400 with a message when it is not a page number (``²``, ``-1``, 10**30)."""
    return query_int(request, "page", default=1, high=MAX_PAGE)


def page_url(request: Request) -> Callable[[int], str]:
    """``page_url(n)``: the current query string with page=n (for the pager links)."""
    params = {k: v for k, v in request.query_params.items() if k != "page"}
    return lambda n: "?" + urlencode({**params, "page": n})


@dataclass
class Page:
    rows: list[Any]
    number: int
    more: bool
    url: Callable[[int], str] = field(repr=False)

    @property
    def template_context(self) -> dict[str, Any]:
        """The names ``_pager.html`` and the list templates have always used."""
        return {"page": self.number, "more": self.more, "page_url": self.url}


async def paginate(request: Request, query: Any, *, per_page: int = PAGE_SIZE) -> Page:
    """Run ``query`` for the requested page: LIMIT per_page + 1 OFFSET (page - 1) * per_page."""
    number = page_number(request)
    rows = await query.limit(per_page + 1).offset((number - 1) * per_page)
    return Page(rows=list(rows[:per_page]), number=number, more=len(rows) > per_page, url=page_url(request))
