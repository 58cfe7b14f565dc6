"""The page cache's place in the request: before Litestar's routing and middleware, after tenant resolution.

``HallApp.__call__`` asks :meth:`PageCache.serve` first for every GET. It answers from the
store only when all of these hold, else the request takes the normal path:

- the route Litestar would pick is registered cacheable (``opt=cached_page()``);
- the request carries a live *customer* session and is not a self-service terminal's, decided by ``core.auth.sessions.load_session``
  (the same rules and the same ~5 s per-worker session cache as the normal path: expiry, log-out);
- an entry exists for the key: tenant, host, scheme, base path, the whole Cookie header
  (session, CSRF token, language cookie, a terminal's cookie: every input a page reads from
  cookies), path and query, the language the normal path would pick, the tenant's local date;
- its data version equals the version read now (one statement, core.db.page_versions),
  and it is younger than ``[server] page_cache_seconds``.

On a miss the version is read *before* the page is rendered, and :meth:`capture` stores the
response only when it is a 200 ``text/html`` of a cacheable route, sets no cookie, and was
rendered for the same customer. The CSP nonce in the body is replaced by each response's own.

A route whose every view must still do something (the call records: a step-up check and a row in
the access trail) passes ``cached_page(on_hit=hook)``: the rendering request leaves a note with
:func:`keep_for_hits`, stored with the page, and every hit awaits ``hook(PageHit)`` before the
stored bytes go out; False (or an error) sends the request down the normal path instead.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass

from litestar.types import Message, Scope, Send
from litestar.utils import normalize_path

from core.auth.sessions import COOKIE, load_session, touch_session
from core.i18n import pick_language
from core.localtime import zone_of
from core.web.context import SCOPE_KEY
from core.web.client import address_of
from core.web.pagecache.store import Entry, PageStore
from core.db.page_versions import page_version
from core.web.principal import LANG_COOKIE, _cookies
from core.web.security_headers import NONCE_KEY

TERMINAL_COOKIE = "hall_terminal"  # core.tmf.terminal.COOKIE (not imported: the API package loads late)
CACHE_OPT = "page_cache"
HIT_OPT = "page_cache_on_hit"
NOTE = "hall.page_cache.note"  # scope key: what the rendering request left for the route's on_hit hook
UNTIL = "hall.page_cache.until"  # scope key: the page shows something only good until then (None: store nothing)
PENDING = "hall.page_cache"  # scope key: what a miss may store (key, version, deadline, customer id)
HIT = (b"x-hall-cache", b"hit")
MISS = (b"x-hall-cache", b"miss")


log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PageHit:
    """What a route's ``on_hit`` hook is given: the request about to be answered from the store, and the note."""

    scope: Scope
    tenant: object
    hall: object
    customer_id: int  # the customer account of the live session
    session_id: int
    name: str  # the customer's name as the session holds it (what Principal.name is on the normal path)
    note: object  # what the rendering request passed to keep_for_hits

    @property
    def address(self) -> str:
        """The client's address, as ``client_address(request)`` gives it on the normal path."""
        return address_of(self.scope, self.hall)


def cached_page(on_hit=None, **opt) -> dict:
    """Route ``opt`` that makes a customer page cacheable: ``@get("/x", opt=cached_page())``.

    Only for GET pages whose content depends on nothing but the key (see the module docstring)
    and on data whose every write bumps the page version (``bump_page_version``). ``on_hit``:
    ``async (PageHit) -> bool`` awaited on every hit before the stored page is sent; the page is
    stored only when its rendering called :func:`keep_for_hits`.
    """
    return {**opt, CACHE_OPT: True, **({HIT_OPT: on_hit} if on_hit is not None else {})}


def page_fresh_until(request, moment: dt.datetime | None) -> None:
    """The page this request renders shows something good only until ``moment`` (aware): it is not served later.

    For a figure that no write announces but that has its own lifetime (a balance read live from the BSS
    and kept for ``balance_cache_seconds``). ``None``: the page is not stored at all. Several calls: the earliest.
    """
    scope = request.scope
    if UNTIL in scope and (scope[UNTIL] is None or moment is None):
        scope[UNTIL] = None
    else:
        scope[UNTIL] = moment if UNTIL not in scope else min(scope[UNTIL], moment)


def keep_for_hits(request, note: object) -> None:
    """Store ``note`` with the page this request renders; the route's ``on_hit`` hook gets it on every hit."""
    request.scope[NOTE] = note


class PageCache:
    def __init__(self, app, *, max_bytes: int, seconds: float, session_days: int):
        self.app = app
        self.store = PageStore(max_bytes)
        self.seconds = seconds
        self.session_days = session_days

    def cacheable(self, path: str):
        """The route handler Litestar would pick for GET ``path`` when it is cacheable, else None."""
        try:
            handler = self.app.asgi_router.handle_routing(path=normalize_path(path), method="GET")[1]
        except Exception:  # no such route: the normal path answers its 404
            return None
        return handler if handler.opt.get(CACHE_OPT) else None

    async def serve(self, scope: Scope, tenant, base: str, send: Send) -> bool:
        """Answer from the store (True), or leave a note for :meth:`capture` and let the request through (False)."""
        headers = scope["headers"]
        cookie = b"; ".join(v for k, v in headers if k == b"cookie")
        handler = self.cacheable(scope["path"]) if cookie else None
        if handler is None:
            return False
        cookies = _cookies(scope)
        token = cookies.get(COOKIE)
        if TERMINAL_COOKIE in cookies:  # a kiosk's pages show its binding, which a revocation ends without a bump
            return False
        row = await load_session(token) if token else None
        if row is None or row["kind"] != "customer":
            return False
        choice = cookies.get(LANG_COOKIE) or (row["data"] or {}).get("language")
        key = (
            id(tenant),
            base,
            next((v for k, v in headers if k == b"host"), b""),
            scope.get("scheme"),
            next((v for k, v in headers if k == b"x-forwarded-proto"), b""),
            cookie,
            scope["path"],
            scope.get("query_string", b""),
            pick_language(choice, tenant.language),
            dt.datetime.now(zone_of(tenant)).date(),
        )
        version = await page_version(row["principal_id"])
        now = time.monotonic()
        entry = self.store.get(key)
        if (
            entry is not None
            and entry.version == version
            and now < entry.expires
            and await self._allowed(handler, scope, tenant, row, entry)
        ):
            await touch_session(row, self.session_days)  # as load_principal does: the expiry slides
            self.store.hits += 1
            nonce = scope[NONCE_KEY].encode()  # type: ignore[literal-required]
            await send({"type": "http.response.start", "status": entry.status, "headers": [*entry.headers, HIT]})
            await send({"type": "http.response.body", "body": entry.body(nonce), "more_body": False})
            return True
        self.store.misses += 1
        scope[PENDING] = (key, version, now + self.seconds, row["principal_id"])  # type: ignore[literal-required]
        return False

    async def _allowed(self, handler, scope: Scope, tenant, row, entry: Entry) -> bool:
        """The route's on_hit hook (if any) agrees to this hit; it runs (and writes) before the page is sent."""
        hook = handler.opt.get(HIT_OPT)
        if hook is None:
            return True
        data = row["data"] or {}
        hit = PageHit(
            scope, tenant, self.app.state.hall, row["principal_id"], row["id"], data.get("name", ""), entry.note
        )
        try:
            return bool(await hook(hit))
        except Exception:  # the normal path does the same work again and answers its error as every page does
            log.exception("page cache: the on_hit hook of %s failed; rendering instead", scope["path"])
            return False

    def capture(self, scope: Scope, send: Send) -> Send:
        """``send`` that also stores the response, when :meth:`serve` left a note and the response qualifies."""
        pending = scope.get(PENDING)
        if pending is None:
            return send
        start: dict = {}
        chunks: list[bytes] = []

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                message = {**message, "headers": [*(message.get("headers") or []), MISS]}  # type: ignore[typeddict-item]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    self._store(scope, pending, start, b"".join(chunks))
            await send(message)

        return wrapped

    def _store(self, scope: Scope, pending: tuple, start: dict, body: bytes) -> None:
        key, version, expires, customer_id = pending
        handler = scope.get("route_handler")
        ri = scope.get(SCOPE_KEY)
        if start.get("status") != 200 or handler is None or not handler.opt.get(CACHE_OPT):
            return
        if ri is None or ri.customer is None or ri.customer.id != customer_id:
            return
        headers = tuple((bytes(k), bytes(v)) for k, v in start.get("headers") or [])
        kinds = {k.lower(): v for k, v in headers}
        if b"set-cookie" in kinds or not kinds.get(b"content-type", b"").startswith(b"text/html"):
            return
        if UNTIL in scope:
            until = scope[UNTIL]
            left = None if until is None else (until - dt.datetime.now(dt.timezone.utc)).total_seconds()
            if left is None or left <= 0:
                return
            expires = min(expires, time.monotonic() + left)
        note = scope.get(NOTE)
        if handler.opt.get(HIT_OPT) is not None and note is None:  # its hits would have nothing to replay
            return
        nonce = scope[NONCE_KEY].encode()  # type: ignore[literal-required]
        parts = tuple(body.split(nonce)) if nonce else (body,)
        self.store.put(key, Entry(version, expires, 200, headers, parts, len(body) + 200, note))
