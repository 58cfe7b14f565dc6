"""The OAuth 2.0 grants (RFC 6749) with PKCE (RFC 7636): authorization code for customer apps, client credentials for
partners and kiosks, refresh tokens for apps.

Authlib supplies the protocol pieces: the error classes with their status and body, PKCE's S256 check and the
verifier's grammar, scope strings. Its ``AuthorizationServer`` calls its storage callbacks synchronously, and every
read here is async (Piccolo), so the grants themselves are these few functions; nothing is kept in memory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from authlib.oauth2.rfc6749 import errors
from authlib.oauth2.rfc6749.util import list_to_scope, scope_to_list
from authlib.oauth2.rfc7636.challenge import CODE_CHALLENGE_PATTERN, CODE_VERIFIER_PATTERN, compare_s256_code_challenge

from core.db import transaction
from core.tmf import tokens
from core.tmf.tables import APP, ApiClient, ApiCode, ApiToken

OAuth2Error = errors.OAuth2Error


@dataclass(frozen=True)
class Grant:
    """What a token endpoint answers."""

    access_token: str
    expires_in: int
    scope: str
    refresh_token: str = ""

    def body(self) -> dict:
        out = {"access_token": self.access_token, "token_type": "Bearer", "expires_in": self.expires_in}
        out["scope"] = self.scope
        if self.refresh_token:
            out["refresh_token"] = self.refresh_token
        return out


async def client_by_id(client_id: str) -> dict | None:
    if not client_id or len(client_id) > 40:
        return None
    return await ApiClient.select().where((ApiClient.client_id == client_id) & (ApiClient.active == True)).first()  # noqa: E712


async def authenticate_client(secret: str, client_id: str, client_secret: str) -> dict:
    """A confidential client by its id and secret (partners, kiosks): InvalidClientError otherwise."""
    client = await client_by_id(client_id)
    if client is None or not client["secret_hash"] or not tokens.same(secret, client_secret, client["secret_hash"]):
        raise errors.InvalidClientError(description="unknown client or wrong secret")
    return client


def check_authorize(client: dict | None, redirect_uri: str, response_type: str, challenge: str, method: str) -> None:
    """The authorization request's parts that must be right before the customer is asked (RFC 6749 4.1.1, 7636 4.3)."""
    if client is None or client["kind"] != APP:
        raise errors.InvalidClientError(description="unknown client")
    if redirect_uri not in tokens.as_list(client["redirect_uris"]):
        raise errors.InvalidRequestError(description="redirect_uri is not registered for this client")
    if response_type != "code":
        raise errors.UnsupportedResponseTypeError(response_type)
    if method != "S256" or not re.fullmatch(CODE_CHALLENGE_PATTERN, challenge or ""):
        raise errors.InvalidRequestError(description="code_challenge with code_challenge_method S256 is required")


def granted_scopes(client: dict, asked: str | None) -> list[str]:
    """The scopes asked for (all the client's when none), refused when one is not the client's."""
    mine = tokens.as_list(client["scopes"])
    wanted = scope_to_list(asked) if asked else mine
    if not wanted or any(s not in mine for s in wanted):
        raise errors.InvalidScopeError()
    return [s for s in mine if s in wanted]


async def issue_code(
    secret: str, client: dict, customer: int, redirect_uri: str, scopes: list[str], challenge: str
) -> str:
    code = tokens.new_token()
    await ApiCode.insert(
        ApiCode(
            code_hash=tokens.keyed_hash(secret, code),
            client=client["id"],
            customer=customer,
            redirect_uri=redirect_uri,
            scopes=scopes,
            code_challenge=challenge,
            expires_at=tokens.now() + tokens.CODE_TTL,
        )
    )
    return code


async def _tokens(secret: str, client: dict, customer: int | None, scopes: list[str], *, refresh: bool) -> Grant:
    access = tokens.new_token()
    stamp = tokens.now()
    rows = [
        ApiToken(
            token_hash=tokens.keyed_hash(secret, access),
            kind="access",
            client=client["id"],
            customer=customer,
            scopes=scopes,
            created_at=stamp,
            expires_at=stamp + tokens.ACCESS_TTL,
        )
    ]
    refresh_token = tokens.new_token() if refresh else ""
    if refresh:
        rows.append(
            ApiToken(
                token_hash=tokens.keyed_hash(secret, refresh_token),
                kind="refresh",
                client=client["id"],
                customer=customer,
                scopes=scopes,
                created_at=stamp,
                expires_at=stamp + tokens.REFRESH_TTL,
            )
        )
    await ApiToken.insert(*rows)
    return Grant(access, int(tokens.ACCESS_TTL.total_seconds()), list_to_scope(scopes), refresh_token)


async def exchange_code(secret: str, form: dict) -> Grant:
    """authorization_code: the code once, for the client it was issued to, with the verifier of its challenge."""
    client = await client_by_id(form.get("client_id", ""))
    if client is None or client["kind"] != APP:
        raise errors.InvalidClientError(description="unknown client")
    verifier = form.get("code_verifier", "")
    if not re.fullmatch(CODE_VERIFIER_PATTERN, verifier):
        raise errors.InvalidRequestError(description="code_verifier is missing or malformed")
    code_hash = tokens.keyed_hash(secret, form.get("code", "")[:100])
    async with transaction():
        used = (
            await ApiCode.update({ApiCode.used_at: tokens.now()})
            .where((ApiCode.code_hash == code_hash) & ApiCode.used_at.is_null() & (ApiCode.client == client["id"]))
            .returning(
                ApiCode.customer, ApiCode.redirect_uri, ApiCode.scopes, ApiCode.code_challenge, ApiCode.expires_at
            )
        )
        if not used:
            raise errors.InvalidGrantError(description="the code is unknown or used")
        row = used[0]
        if row["expires_at"] < tokens.now() or row["redirect_uri"] != form.get("redirect_uri", ""):
            raise errors.InvalidGrantError(description="the code expired or the redirect_uri differs")
        if not compare_s256_code_challenge(verifier, row["code_challenge"]):
            raise errors.InvalidGrantError(description="code_verifier does not match the code_challenge")
        return await _tokens(secret, client, row["customer"], tokens.as_list(row["scopes"]), refresh=True)


async def client_credentials(secret: str, client: dict, asked: str | None) -> Grant:
    if client["kind"] == APP:
        raise errors.UnauthorizedClientError(description="an app signs its customer in (authorization_code)")
    return await _tokens(secret, client, None, granted_scopes(client, asked), refresh=False)


async def refresh(secret: str, form: dict) -> Grant:
    """refresh_token: a new pair; the old refresh token is spent (rotation)."""
    client = await client_by_id(form.get("client_id", ""))
    if client is None:
        raise errors.InvalidClientError(description="unknown client")
    token_hash = tokens.keyed_hash(secret, form.get("refresh_token", "")[:100])
    async with transaction():
        spent = (
            await ApiToken.update({ApiToken.revoked_at: tokens.now()})
            .where(
                (ApiToken.token_hash == token_hash)
                & (ApiToken.kind == "refresh")
                & (ApiToken.client == client["id"])
                & ApiToken.revoked_at.is_null()
            )
            .returning(ApiToken.customer, ApiToken.scopes, ApiToken.expires_at)
        )
        if not spent or spent[0]["expires_at"] < tokens.now():
            raise errors.InvalidGrantError(description="the refresh token is unknown, spent or expired")
        return await _tokens(secret, client, spent[0]["customer"], tokens.as_list(spent[0]["scopes"]), refresh=True)


async def revoke(secret: str, client: dict, token: str) -> None:
    """RFC 7009: the client's own token stops working (unknown tokens are no error)."""
    await ApiToken.update({ApiToken.revoked_at: tokens.now()}).where(
        (ApiToken.token_hash == tokens.keyed_hash(secret, token[:100]))
        & (ApiToken.client == client["id"])
        & ApiToken.revoked_at.is_null()
    )
