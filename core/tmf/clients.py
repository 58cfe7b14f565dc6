"""What operators do with API clients: register, rotate the secret, revoke. Every change is audited; a secret is
shown once, when it is made, and kept only as its keyed hash."""

from __future__ import annotations

from urllib.parse import urlsplit

from core.db import transaction
from core.i18n import N_
from core.tmf import tokens
from core.tmf.scopes import allowed
from core.tmf.tables import APP, KINDS, ApiClient, ApiToken
from core.web.forms import FieldErrors


def _redirects(text: str) -> list[str]:
    uris = [u.strip() for u in (text or "").split() if u.strip()]
    for uri in uris:
        parts = urlsplit(uri)
        if not parts.scheme or parts.fragment or (parts.scheme in ("http", "https") and not parts.netloc):
            problems = FieldErrors()
            problems.add("redirect_uris", N_("Give whole addresses, one per line, without a #fragment."))
            raise problems
    return uris[:5]


async def register(
    auditor, secret: str, *, name: str, kind: str, scopes: list[str], redirect_text: str, rate: int
) -> tuple[dict, str]:
    """A new client and its secret in clear (``""`` for an app, which proves itself with PKCE instead)."""
    problems = FieldErrors()
    problems.require(name=name.strip())
    if kind not in KINDS:
        problems.add("kind", N_("Choose a kind."))
    granted = allowed(kind, scopes)
    if not granted:
        problems.add("scopes", N_("Choose at least one scope this kind of client may hold."))
    uris = _redirects(redirect_text) if kind == APP else []
    if kind == APP and not uris:
        problems.add("redirect_uris", N_("An app needs at least one redirect address."))
    problems.raise_if_any()
    clear = "" if kind == APP else tokens.new_token()
    values = dict(
        client_id=tokens.new_client_id(),
        name=name.strip()[:100],
        kind=kind,
        redirect_uris=uris,
        scopes=granted,
        rate_per_minute=rate,
    )
    async with transaction():
        rows = await ApiClient.insert(
            ApiClient(**values, secret_hash=tokens.keyed_hash(secret, clear) if clear else "")
        )
        await auditor.record("api.client.create", object_type="api_client", object_id=rows[0]["id"], after=values)
    return {**values, "id": rows[0]["id"]}, clear


async def rotate(auditor, secret: str, client: dict) -> str:
    """A new secret; the old one stops working at once, and so do the tokens it obtained."""
    clear = tokens.new_token()
    async with transaction():
        await ApiClient.update(
            {ApiClient.secret_hash: tokens.keyed_hash(secret, clear), ApiClient.rotated_at: tokens.now()}
        ).where(ApiClient.id == client["id"])
        await ApiToken.update({ApiToken.revoked_at: tokens.now()}).where(
            (ApiToken.client == client["id"]) & ApiToken.revoked_at.is_null()
        )
        await auditor.record(
            "api.client.rotate", object_type="api_client", object_id=client["id"], summary=client["client_id"]
        )
    return clear


async def revoke(auditor, client: dict) -> None:
    """The client and every token it holds stop working."""
    async with transaction():
        await ApiClient.update({ApiClient.active: False, ApiClient.revoked_at: tokens.now()}).where(
            ApiClient.id == client["id"]
        )
        await ApiToken.update({ApiToken.revoked_at: tokens.now()}).where(
            (ApiToken.client == client["id"]) & ApiToken.revoked_at.is_null()
        )
        await auditor.record(
            "api.client.revoke", object_type="api_client", object_id=client["id"], summary=client["client_id"]
        )


async def heartbeat(client_id: int, status: str) -> None:
    """A kiosk's "still here": its time and what it reported, shown on the console's clients page."""
    await ApiClient.update({ApiClient.last_seen_at: tokens.now(), ApiClient.last_status: status[:200]}).where(
        ApiClient.id == client_id
    )
