"""Menu items and home panels contributed by plugins through hooks."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from core.i18n import N_

# The customer menu's groups (a MenuItem's ``group``): a dozen plugins make too many links for one row, so
# links of one kind fold under one heading. A plugin may name its own group; these are the ones the bundled
# plugins share, so that a tenant's menu reads the same whichever plugins it enables.
GROUP_ACCOUNT = N_("My account")
GROUP_PAY = N_("Pay and top up")
GROUP_APPLY = N_("Apply for services")
GROUP_SERVICE = N_("Customer service")


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
    group: str = ""  # message id of the heading it folds under (GROUP_ACCOUNT, …); "" stands alone
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


@dataclass(frozen=True)
class MenuGroup:
    """Links under one heading in the menu: ordered by their first link, current when one of them is."""

    label: str
    items: tuple[MenuItem, ...]

    @property
    def order(self) -> int:
        return self.items[0].order


def menu_tree(items: list[MenuItem]) -> list[MenuItem | MenuGroup]:
    """The menu as the page shows it: links without a group, and one entry per group (a lone link stays a link)."""
    groups: dict[str, list[MenuItem]] = {}
    for item in items:
        groups.setdefault(item.group, []).append(item)
    entries: list[MenuItem | MenuGroup] = list(groups.pop("", []))
    for label, members in groups.items():
        entries.extend(members if len(members) == 1 else [MenuGroup(label, tuple(members))])
    return sorted(entries, key=lambda e: e.order)


@dataclass
class Panel:
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    title: str = ""  # message id
    permission: str | None = None
    order: int = 100
    html: str = ""  # filled by the core: the template rendered with the page's context plus ``context``
