"""Customer sign-up (real-name), log-in, log-out and password reset pages."""

from __future__ import annotations

import datetime as dt
import secrets

from litestar import Request, Response, get, post
from litestar.params import FromQuery

from core.auth import account_service, login_guard, otp, throttle
from core.auth.customers import account_by_login, account_of_customer, verify_identity
from core.auth.passwords import password_problem, verify_password
from core.auth.tables import Customer
from core.i18n import N_
from core.privacy import mask_contact, normalise_id_number
from core.web.codes import refused_until, send_code
from core.web.context import client_address, info
from core.web.forms import Form
from core.web.next_target import safe_next
from core.web.render import redirect, redirect_to, render
from core.web.session_cookies import start_session, stop_session
from core.web.waits import GUESS_WAIT, LOGIN_WAIT, SEND_WAIT, until

PUBLIC = {"auth": "public"}
NO_MATCH = N_("These details do not match our records. Check the number, the name and the ID number.")
CODE_WRONG = N_("That code is not right. Check the message and try again.")
CODE_EXPIRED = N_("This code has expired or was already used. Please start again.")
CODE_LOCKED = N_("Too many wrong codes. Please start again to get a new code.")


def _security(request: Request):
    return request.app.state.hall.deployment.security


def _check_code_and_new_password(form: Form) -> None:
    """The second step of sign-up and of a reset: a code, a new password typed twice."""
    form.require("code", "password", "password_confirm")
    problem = password_problem(form.raw("password"), form.raw("password_confirm")) if form.raw("password") else None
    if problem:
        form.error("password", problem)


def code_problem(form: Form, request: Request, checked: otp.Checked) -> None:
    """The field error for a code that was not accepted (wrong, used up, expired, or too many guesses today)."""
    if checked.result == "throttled":
        form.error("code", GUESS_WAIT, time=until(request, checked.retry_at))
    else:
        form.error("code", {"wrong": CODE_WRONG, "locked": CODE_LOCKED}.get(checked.result, CODE_EXPIRED))


async def _check_code(request: Request, purpose: str, form: Form) -> otp.Checked:
    sec = _security(request)
    return await otp.check(
        secret=request.app.state.hall.secret,
        purpose=purpose,
        flow=form.value("flow"),
        code=form.value("code"),
        max_attempts=sec.otp_max_attempts,
        guesses_per_day=sec.otp_guesses_per_day,
    )


async def _verified_identity(request: Request, form: Form):
    """Sign-up's identity check (number, name, ID number), at most 4x login_max_failures mismatches per address and window.

    The attempt is counted before the check (core/auth/throttle.py); a match takes it back.
    """
    sec = _security(request)
    rule = throttle.Rule(
        f"signup:addr:{client_address(request)}",
        dt.timedelta(minutes=sec.login_window_minutes),
        limit=sec.login_max_failures * 4,
    )
    held = await throttle.reserve(rule)
    if not held.ok:
        form.error("number", LOGIN_WAIT, time=until(request, held.retry_at))
        return None
    hall, tenant = request.app.state.hall, info(request).tenant
    verified = await verify_identity(
        hall, tenant, number=form.value("number"), name=form.value("name"), id_number=form.value("id_number")
    )
    if verified is None:
        form.error("number", NO_MATCH)  # the reserved row stays: it is the failure
    else:
        await throttle.release(held, rule.key)
    return verified


@get("/signup", opt=PUBLIC, name="auth:signup")
async def signup_form(request: Request, next: FromQuery[str | None] = None) -> Response:  # noqa: A002
    """``next``: where the new customer goes once registered (a page that sent a visitor here, inside the tenant)."""
    return await render(request, "auth/signup.html", {"form": Form({"channel": "sms", "next": next or ""})})


@post("/signup", opt=PUBLIC, name="auth:signup.submit")
async def signup_submit(request: Request) -> Response:
    hall = request.app.state.hall
    form = await Form.from_request(request)
    form.require("number", "name", "id_number")
    if form.value("id_number"):
        try:
            normalise_id_number(form.value("id_number"))
        except ValueError:
            form.error("id_number", N_("This is not a valid 18-digit ID number."))
    channel = form.value("channel") or "sms"
    if channel not in ("sms", "email"):
        form.error("channel", N_("Choose SMS or e-mail."))
    verified = await _verified_identity(request, form) if form.valid else None
    if verified is not None:
        if await account_of_customer(verified.customer["legacy_id"]):
            form.error("number", N_("You already have an account. Log in, or reset your password if you forgot it."))
        else:
            recipient = verified.customer["email"] if channel == "email" else verified.customer["phone"]
            if not recipient:
                form.error("channel", N_("We have no contact of that kind on file for you. Choose the other way."))
            elif retry_at := await refused_until(
                request, recipient=recipient, identity=f"cust:{verified.customer['legacy_id']}"
            ):
                form.error("number", SEND_WAIT, time=until(request, retry_at))
    if not form.valid:
        return await render(request, "auth/signup.html", {"form": form}, status=400)
    flow, code = await otp.issue(
        secret=hall.secret,
        purpose="signup",
        subject=verified.customer["legacy_id"],
        minutes=_security(request).otp_minutes,
        identity=f"cust:{verified.customer['legacy_id']}",
        payload={"number": verified.number, "channel": channel, "next": form.value("next")[:500]},
    )
    await send_code(request, channel=channel, recipient=recipient, code=code, purpose="signup")
    return await render(
        request, "auth/signup_verify.html", {"form": Form({"flow": flow}), "sent_to": mask_contact(recipient)}
    )


@post("/signup/verify", opt=PUBLIC, name="auth:signup.verify")
async def signup_verify(request: Request) -> Response:
    hall = request.app.state.hall
    ri = info(request)
    form = await Form.from_request(request)
    _check_code_and_new_password(form)
    sent_to = ""
    if form.valid:
        checked = await _check_code(request, "signup", form)
        row = checked.row
        if checked.result == "ok":
            customer = await Customer.select().where(Customer.legacy_id == row["subject"]).first()
            account_id = await account_service.register(
                hall,
                ri.tenant,
                customer=customer,
                number=row["payload"]["number"],
                password=form.raw("password"),
                language=ri.language,
            )
            if account_id is None:
                form.error("code", N_("You already have an account. Log in, or reset your password if you forgot it."))
            else:
                back = (row["payload"] or {}).get("next") or ""
                response = (
                    redirect(request, safe_next(request, back, "account:overview"))
                    if back
                    else redirect_to(request, "account:overview", query={"welcome": 1})
                )
                await start_session(
                    request, response, "customer", account_id, {"name": customer["name"], "language": ri.language}
                )
                return response
        else:
            code_problem(form, request, checked)
    return await render(request, "auth/signup_verify.html", {"form": form, "sent_to": sent_to}, status=400)


@get("/login", opt=PUBLIC, name="auth:login")
async def login_form(request: Request, next: FromQuery[str | None] = None) -> Response:  # noqa: A002
    return await render(request, "auth/login.html", {"form": Form({"next": next or ""})})


@post("/login", opt=PUBLIC, name="auth:login.submit")
async def login_submit(request: Request) -> Response:
    sec = _security(request)
    form = await Form.from_request(request)
    form.require("login", "password")
    if form.valid:
        account = await account_by_login(form.value("login"))

        async def right_password() -> bool:
            ok = await verify_password(account["password_hash"] if account else None, form.raw("password"))
            return ok and account["active"]

        # unknown log-in names are throttled like accounts, so the limits do not tell which exist
        who = f"a{account['id']}" if account else "n:" + form.value("login").lower()[:64]
        outcome = await login_guard.attempt(
            sec, scope="login", account=who, address=client_address(request), verify=right_password
        )
        if outcome.retry_at is not None:
            form.error("login", LOGIN_WAIT, time=until(request, outcome.retry_at))
            return await render(request, "auth/login.html", {"form": form}, status=400)
        if outcome.ok:
            await account_service.logged_in(account["id"])
            customer = (
                await Customer.select(Customer.name).where(Customer.legacy_id == account["customer_legacy_id"]).first()
            )
            response = redirect(request, safe_next(request, form.value("next"), "account:overview"))
            data = {
                "name": customer["name"] if customer else "",
                "language": account["language"] or info(request).language,
            }
            await start_session(request, response, "customer", account["id"], data)
            return response
        form.error("login", N_("The log-in name or the password is wrong."))
    return await render(request, "auth/login.html", {"form": form}, status=400)


@post("/logout", opt=PUBLIC, name="auth:logout")
async def logout(request: Request) -> Response:
    response = redirect_to(request, "site:home")
    await stop_session(request, response)
    return response


@get("/reset", opt=PUBLIC, name="auth:reset")
async def reset_form(request: Request) -> Response:
    return await render(request, "auth/reset.html", {"form": Form({"channel": "sms"})})


@post("/reset", opt=PUBLIC, name="auth:reset.submit")
async def reset_submit(request: Request) -> Response:
    hall = request.app.state.hall
    form = await Form.from_request(request)
    form.require("login")
    channel = form.value("channel") if form.value("channel") in ("sms", "email") else "sms"
    if not form.valid:
        return await render(request, "auth/reset.html", {"form": form}, status=400)
    account = await account_by_login(form.value("login"))
    customer = (
        await Customer.select().where(Customer.legacy_id == account["customer_legacy_id"]).first() if account else None
    )
    recipient = (customer["email"] if channel == "email" else customer["phone"]) if customer else ""
    identity = f"cust:{customer['legacy_id']}" if customer else ""
    # an unknown log-in name counts against itself as a destination: the limits look the same either way
    retry_at = await refused_until(
        request, recipient=recipient or "login:" + form.value("login").lower(), identity=identity
    )
    if retry_at:
        form.error("login", SEND_WAIT, time=until(request, retry_at))
        return await render(request, "auth/reset.html", {"form": form}, status=400)
    if account and recipient:
        flow, code = await otp.issue(
            secret=hall.secret,
            purpose="reset",
            subject=str(account["id"]),
            minutes=_security(request).otp_minutes,
            identity=identity,
        )
        await send_code(request, channel=channel, recipient=recipient, code=code, purpose="reset")
    else:
        flow = secrets.token_urlsafe(24)  # same page either way: the form does not reveal which accounts exist
    return await render(request, "auth/reset_verify.html", {"form": Form({"flow": flow})})


@post("/reset/verify", opt=PUBLIC, name="auth:reset.verify")
async def reset_verify(request: Request) -> Response:
    form = await Form.from_request(request)
    _check_code_and_new_password(form)
    if form.valid:
        checked = await _check_code(request, "reset", form)
        if checked.result == "ok":
            account_id = int(checked.row["subject"])
            await account_service.set_password(account_id, form.raw("password"))
            return await render(request, "auth/reset_done.html", {})
        code_problem(form, request, checked)
    return await render(request, "auth/reset_verify.html", {"form": form}, status=400)


HANDLERS = [
    signup_form,
    signup_submit,
    signup_verify,
    login_form,
    login_submit,
    logout,
    reset_form,
    reset_submit,
    reset_verify,
]
