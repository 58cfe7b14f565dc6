"""OAuth 2.0 endpoints: the customer approves an app on the hall's own pages (signed in as on the web, real-name rules
unchanged); apps exchange the code with PKCE; partners and kiosks use client credentials; tokens are revoked.

Errors before the redirect address is known to be the client's are shown on a page, never redirected (RFC 6749
4.1.2.1); the token endpoint answers RFC 6749's JSON errors (Authlib's error classes)."""

from __future__ import annotations

import base64
from urllib.parse import urlencode

from authlib.oauth2.rfc6749 import errors
from litestar import Request, Response, get, post
from litestar.response import Redirect

from core.auth.throttle import Rule, reserve
from core.tmf import oauth
from core.tmf.scopes import SCOPES
from core.tmf.tokens import as_list
from core.web.client import client_address
from core.web.context import info
from core.web.render import hall_of, render

import datetime as dt

PUBLIC = {"auth": "public", "exclude_from_csrf": True}
PARAMS = ("client_id", "redirect_uri", "response_type", "scope", "state", "code_challenge", "code_challenge_method")


def _asked(source) -> dict[str, str]:
    return {k: str(source.get(k) or "")[:500] for k in PARAMS}


def _back(asked: dict, **values) -> Redirect:
    query = {**values, **({"state": asked["state"]} if asked["state"] else {})}
    sep = "&" if "?" in asked["redirect_uri"] else "?"
    return Redirect(path=asked["redirect_uri"] + sep + urlencode(query), status_code=303)


async def _checked(asked: dict) -> tuple[dict | None, list[str], errors.OAuth2Error | None]:
    client = await oauth.client_by_id(asked["client_id"])
    try:
        oauth.check_authorize(
            client,
            asked["redirect_uri"],
            asked["response_type"],
            asked["code_challenge"],
            asked["code_challenge_method"],
        )
        return client, oauth.granted_scopes(client, asked["scope"] or None), None
    except errors.OAuth2Error as exc:
        return client, [], exc


async def _refusal(request: Request, exc: errors.OAuth2Error) -> Response:
    return await render(
        request, "tmf/authorize_error.html", {"error": exc.error, "description": exc.description or ""}, status=400
    )


@get("/api/oauth/authorize", opt={"auth": "customer"}, include_in_schema=False, name="api:authorize")
async def authorize(request: Request) -> Response:
    """The approval page: which app asks for what, for the signed-in customer."""
    asked = _asked(request.query_params)
    client, scopes, problem = await _checked(asked)
    if problem is not None:
        if (
            client is not None
            and asked["redirect_uri"] in as_list(client["redirect_uris"])
            and not isinstance(problem, errors.InvalidClientError)
        ):
            return _back(asked, error=problem.error)
        return await _refusal(request, problem)
    return await render(
        request, "tmf/authorize.html", {"client": client, "scopes": [(s, SCOPES[s]) for s in scopes], "asked": asked}
    )


@post("/api/oauth/authorize", opt={"auth": "customer"}, include_in_schema=False, name="api:authorize.submit")
async def authorize_submit(request: Request) -> Response:
    """Approve (a one-time code back to the app) or deny (``access_denied``)."""
    form = await request.form()
    asked = _asked(form)
    client, scopes, problem = await _checked(asked)
    if problem is not None:
        return await _refusal(request, problem)
    if form.get("decision") != "approve":
        return _back(asked, error="access_denied")
    code = await oauth.issue_code(
        hall_of(request).secret,
        client,
        info(request).customer.id,
        asked["redirect_uri"],
        scopes,
        asked["code_challenge"],
    )
    return _back(asked, code=code)


def _oauth_error(exc: errors.OAuth2Error) -> Response:
    headers = {"Cache-Control": "no-store"}
    if exc.status_code == 401:
        headers["WWW-Authenticate"] = 'Basic realm="hall"'
    return Response(
        content=dict(exc.get_body()), status_code=exc.status_code, media_type="application/json", headers=headers
    )


def _basic(request: Request) -> tuple[str, str]:
    kind, _, value = request.headers.get("authorization", "").partition(" ")
    if kind.lower() != "basic":
        return "", ""
    try:
        user, _, password = base64.b64decode(value.strip()).decode().partition(":")
    except Exception:  # a malformed header is no credential
        return "", ""
    return user, password


@post("/api/oauth/token", opt=PUBLIC, include_in_schema=False, name="api:token")
async def token(request: Request) -> Response:
    """RFC 6749 section 3.2: authorization_code (+ PKCE), client_credentials, refresh_token."""
    form = {k: str(v)[:500] for k, v in (await request.form()).items()}
    secret = hall_of(request).secret
    throttle = await reserve(Rule("api:token:" + client_address(request), dt.timedelta(minutes=1), limit=60))
    if not throttle.ok:
        return Response(content={"error": "slow_down"}, status_code=429, media_type="application/json")
    try:
        grant = form.get("grant_type", "")
        if grant == "authorization_code":
            result = await oauth.exchange_code(secret, form)
        elif grant == "refresh_token":
            result = await oauth.refresh(secret, form)
        elif grant == "client_credentials":
            user, password = _basic(request)
            client = await oauth.authenticate_client(
                secret, user or form.get("client_id", ""), password or form.get("client_secret", "")
            )
            result = await oauth.client_credentials(secret, client, form.get("scope") or None)
        else:
            raise errors.UnsupportedGrantTypeError(grant or "none")
    except errors.OAuth2Error as exc:
        return _oauth_error(exc)
    return Response(
        content=result.body(), status_code=200, media_type="application/json", headers={"Cache-Control": "no-store"}
    )


@post("/api/oauth/revoke", opt=PUBLIC, include_in_schema=False, name="api:revoke")
async def revoke(request: Request) -> Response:
    """RFC 7009: a client ends one of its tokens (apps by client_id, others with their secret)."""
    form = {k: str(v)[:500] for k, v in (await request.form()).items()}
    secret = hall_of(request).secret
    user, password = _basic(request)
    try:
        if user or form.get("client_secret"):
            client = await oauth.authenticate_client(
                secret, user or form.get("client_id", ""), password or form.get("client_secret", "")
            )
        else:
            client = await oauth.client_by_id(form.get("client_id", ""))
            if client is None or client["secret_hash"]:
                raise errors.InvalidClientError()
    except errors.OAuth2Error as exc:
        return _oauth_error(exc)
    await oauth.revoke(secret, client, form.get("token", ""))
    return Response(content={}, status_code=200, media_type="application/json")


HANDLERS = [authorize, authorize_submit, token, revoke]
