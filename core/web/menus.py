"""Menu items and home panels contributed by plugins through hooks."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(frozen=True)
class MenuItem:
    """A link in the menu or among the home page's quick actions: ``MenuItem(N_("Payments"), route="console:payments")``.

    ``route`` names the page (``params`` fill its path parameters, ``query`` its query string). ``path`` is
    for a link that is not a route of the hall: an absolute ``https://…`` URL is used as it is, and a path
    starting with ``/`` (what plugins wrote before routes had names) gets the tenant prefix.
    """

    label: str  # message id, translated when shown
    path: str = ""  # a link that is not a route of the hall; prefer ``route``
    permission: str | None = None  # operators only: shown when the operator has it
    order: int = 100
    icon: str = ""
    route: str | None = None  # a route name, e.g. "notices:list"
    params: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    query: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    href: str = ""  # filled by the core for each request: the URL the link goes to

    def resolved(self, request) -> "MenuItem":
        """This item with ``href`` set for ``request`` (route names reversed, the tenant prefix added)."""
        from core.web.urls import url_for

        if self.route is not None:
            return replace(self, href=url_for(request, self.route, query=self.query or None, **self.params))
        if self.path.startswith("/"):
            from core.web.context import info

            return replace(self, href=info(request).url(self.path))  # an older plugin's in-tenant path: still works
        return replace(self, href=self.path)


@dataclass
class Panel:
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    title: str = ""  # message id
    permission: str | None = None
    order: int = 100
    html: str = ""  # filled by the core: the template rendered with the page's context plus ``context``
