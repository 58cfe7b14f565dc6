"""Security headers on every response the hall sends, and Secure cookies on HTTPS.

One ASGI ``send`` wrapper (installed by ``HallApp.__call__``) adds:

- ``Content-Security-Policy``: scripts and styles from the hall itself or carrying
  this response's nonce (``csp_nonce`` in templates), no plugins, no framing
  (``frame-ancestors 'none'``), forms only to the hall and to the gateways of the
  tenant's payment providers (the pay button's redirect is a form navigation);
- ``X-Frame-Options: DENY`` for browsers without ``frame-ancestors``;
- ``Referrer-Policy: strict-origin-when-cross-origin`` (no paths, which carry
  service numbers and payment ids, go to other sites);
- ``X-Content-Type-Options: nosniff``;
- on HTTPS (the connection, or ``X-Forwarded-Proto`` from a trusted proxy):
  ``Strict-Transport-Security`` and ``Secure`` on every cookie it sets.

A header a handler already set is kept (a page may need a narrower policy).
"""

from __future__ import annotations

import logging
import re
import secrets
from urllib.parse import urlsplit

from litestar.types import Message, Send

log = logging.getLogger("hall.web")
NONCE_KEY = "hall.csp_nonce"
ORIGINS_CACHE = "core.web.form_origins"
_NONCED_TAG = re.compile(r"<(script|style)(?=[\s>])(?![^>]*\bnonce=)", re.I)


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def origin_of(url: str) -> str:
    """``https://openapi.alipay.com/gateway.do`` → ``https://openapi.alipay.com``; "" for anything not http(s)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


def form_origins(hall, tenant) -> tuple[str, ...]:
    """Origins the tenant's forms may lead to: each switched-on payment provider's ``form_origins`` (its gateway)."""
    cache = hall.state.setdefault(ORIGINS_CACHE, {})
    if tenant.id not in cache:
        from core.payments.registry import enabled_providers, provider_for

        origins: set[str] = set()
        for provider_id in enabled_providers(hall, tenant):
            try:
                provider = provider_for(hall, tenant, provider_id)
            except Exception:  # a provider that cannot be built must not break every page; its checkout reports it
                log.exception(
                    "tenant %s: payment provider %r could not be built for the form-action policy",
                    tenant.id,
                    provider_id,
                )
                continue
            origins.update(o for o in (origin_of(u) for u in getattr(provider, "form_origins", ())) if o)
        cache[tenant.id] = tuple(sorted(origins))
    return cache[tenant.id]


def content_security_policy(nonce: str, form_targets: tuple[str, ...] = ()) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            f"style-src 'self' 'nonce-{nonce}'",
            "img-src 'self' data:",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "form-action " + " ".join(["'self'", *form_targets]),
        ]
    )


def with_nonce(html: str, nonce: str) -> str:
    """Give every ``<script>`` and ``<style>`` in a page built outside the templates (a gateway's form or page) this response's nonce."""
    return _NONCED_TAG.sub(lambda m: f'<{m.group(1)} nonce="{nonce}"', html)


def _secure_cookie(value: bytes) -> bytes:
    attributes = [a.strip().lower() for a in value.split(b";")[1:]]
    return value if b"secure" in attributes else value + b"; Secure"


def secure_send(send: Send, *, csp: str, https: bool, hsts_seconds: int) -> Send:
    """``send`` with the security headers added to the response start (and cookies made Secure on HTTPS)."""

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [(bytes(k), bytes(v)) for k, v in message.get("headers") or []]
            present = {k.lower() for k, _ in headers}
            wanted = [
                (b"content-security-policy", csp.encode()),
                (b"x-frame-options", b"DENY"),
                (b"referrer-policy", b"strict-origin-when-cross-origin"),
                (b"x-content-type-options", b"nosniff"),
            ]
            if https:
                if hsts_seconds:
                    wanted.append((b"strict-transport-security", b"max-age=%d" % hsts_seconds))
                headers = [(k, _secure_cookie(v) if k.lower() == b"set-cookie" else v) for k, v in headers]
            headers += [(k, v) for k, v in wanted if k not in present]
            message = {**message, "headers": headers}  # type: ignore[typeddict-item]
        await send(message)

    return wrapped
