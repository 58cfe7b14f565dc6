"""``next=``: where to go after logging in or changing language. Only a path of this tenant, never another site.

Browsers read ``/\\evil``, ``/\\t/evil`` (tabs and newlines are dropped) and ``//evil``
as another host, and resolve ``/t/x/../../evil`` (also spelled ``%2e%2e``) out of
the tenant's ``/t/<id>/`` prefix before asking the server. So the target is
decoded, its dot segments resolved, and it must still lie under the tenant's base;
anything else gives the default. The answer is the path inside the tenant
(``redirect()`` adds the prefix back) with its query, re-encoded.
"""

from __future__ import annotations

import posixpath
from urllib.parse import quote, unquote, urlsplit

from litestar import Request

from core.web.context import info
from core.web.urls import path_for

MAX_LENGTH = 2000
_SAFE_PATH = "/-._~!$&'()*+,;=:@"
_SAFE_QUERY = _SAFE_PATH + "/?%"


def _clean(target: str) -> bool:
    return all(ch >= " " and ch != "\x7f" and ch != "\\" for ch in target)


def resolve_next(target: str | None, base: str, default: str) -> str:
    """``target`` as a path inside the tenant whose URL prefix is ``base`` ("" or "/t/<id>"), else ``default``."""
    if not target or len(target) > MAX_LENGTH or not _clean(target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return default
    path = unquote(parts.path)
    for _ in range(3):  # %252e%252e: decode until stable, a few times at most
        if "%" not in path:
            break
        path = unquote(path)
    if not _clean(path) or path.startswith("//"):
        return default
    trailing = path.endswith("/")
    path = posixpath.normpath(path)  # "/t/x/a/../../../evil" → "/evil"; also folds "//" inside the path
    if path.startswith("//"):  # normpath keeps a leading "//"
        return default
    if base:
        if path != base and not path.startswith(base + "/"):
            return default
        path = path[len(base) :] or "/"
    if trailing and not path.endswith("/"):
        path += "/"
    query = parts.query
    if query and not _clean(unquote(query)):
        return default
    return quote(path, safe=_SAFE_PATH) + ("?" + quote(query, safe=_SAFE_QUERY) if query else "")


def safe_next(request: Request, target: str | None, default_route: str) -> str:
    """``target`` if it stays inside this tenant (no open redirects), else the path of the route ``default_route``."""
    return resolve_next(target, info(request).base, path_for(request, default_route))
