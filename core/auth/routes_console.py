"""Operator console log-in and log-out (tenant operators, and super-admins in any tenant)."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.params import FromQuery

from core.auth import login_guard
from core.auth.passwords import verify_password
from core.auth.staff_service import console_logged_in
from core.auth.tables import Operator, SuperAdmin
from core.db.scoping import all_tenants
from core.i18n import N_
from core.web.audit_helpers import audit, auditor_of
from core.web.context import Principal, client_address, info
from core.web.next_target import safe_next
from core.web.forms import Form
from core.web.render import redirect, redirect_to, render
from core.web.session_cookies import start_session, stop_session
from core.web.waits import LOGIN_WAIT, until

PUBLIC = {"auth": "public"}


@get("/console/login", opt=PUBLIC, name="console:login")
async def console_login_form(request: Request, next: FromQuery[str | None] = None) -> Response:  # noqa: A002
    return await render(request, "console/login.html", {"form": Form({"next": next or ""})}, audience="operator")


@post("/console/login", opt=PUBLIC, name="console:login.submit")
async def console_login(request: Request) -> Response:
    sec = request.app.state.hall.deployment.security
    form = await Form.from_request(request)
    form.require("username", "password")
    username = form.value("username")
    if form.valid:
        op = await Operator.select().where(Operator.username == username).first()
        kind, row = ("operator", op) if op else ("super", None)
        if op is None:
            with all_tenants():
                row = await SuperAdmin.select().where(SuperAdmin.username == username).first()

        async def right_password() -> bool:
            ok = await verify_password(row["password_hash"] if row else None, form.raw("password"))
            return ok and row["active"]

        who = f"{kind}{row['id']}" if row else "n:" + username.lower()[:64]
        outcome = await login_guard.attempt(
            sec, scope="console", account=who, address=client_address(request), verify=right_password
        )
        if outcome.retry_at is not None:
            form.error("username", LOGIN_WAIT, time=until(request, outcome.retry_at))
            return await render(request, "console/login.html", {"form": form}, status=400, audience="operator")
        if outcome.ok:
            data = {"username": username, "name": row["display_name"]}
            response = redirect(request, safe_next(request, form.value("next"), "console:home"))
            await start_session(request, response, kind, row["id"], data)
            info(request).principal = Principal(kind, row["id"], row["display_name"], 0, data=data)
            await console_logged_in(auditor_of(request), kind, row["id"])  # read after the new principal is set
            return response
        form.error("username", N_("The user name or the password is wrong."))
    return await render(request, "console/login.html", {"form": form}, status=400, audience="operator")


@post("/console/logout", opt={"auth": "operator"}, name="console:logout")
async def console_logout(request: Request) -> Response:
    await audit(request, "console.logout")
    response = redirect_to(request, "console:login")
    await stop_session(request, response)
    return response


HANDLERS = [console_login_form, console_login, console_logout]
