"""Start and end log-in sessions on a response (cookie scoped to the tenant's base path)."""

from __future__ import annotations

from litestar import Request, Response

from core.auth.sessions import COOKIE, create_session, end_session
from core.web.context import info


async def start_session(request: Request, response: Response, kind: str, principal_id: int, data: dict) -> None:
    ri = info(request)
    hall = request.app.state.hall
    if ri.session_token:  # never carry a session across a privilege change (fixation)
        await end_session(ri.session_token)
    days = hall.deployment.security.session_days
    token = await create_session(kind, principal_id, days, data)
    response.set_cookie(
        COOKIE,
        token,
        path=ri.base or "/",
        httponly=True,
        samesite="lax",
        secure=hall.deployment.security.cookie_secure,
        max_age=days * 86400,
    )


async def stop_session(request: Request, response: Response) -> None:
    ri = info(request)
    await end_session(ri.session_token)
    response.delete_cookie(COOKIE, path=ri.base or "/")
