"""Customer sign-up (real-name), log-in, log-out and password reset pages."""

from __future__ import annotations

import datetime as dt
import secrets

from litestar import Request, Response, get, post
from litestar.params import FromQuery

from core.auth import otp, throttle
from core.auth.customers import account_by_login, account_of_customer, create_account, verify_identity
from core.auth.passwords import hash_password, password_problem, verify_password
from core.auth.sessions import end_sessions_of
from core.auth.tables import Customer, CustomerAccount
from core.db import transaction
from core.i18n import N_
from core.privacy import mask_contact, normalise_id_number
from core.utils import await_me_maybe
from core.web.codes import send_code
from core.web.context import client_address, info
from core.web.forms import Form
from core.web.next_target import safe_next
from core.web.render import redirect, render
from core.web.session_cookies import start_session, stop_session

PUBLIC = {"auth": "public"}
NO_MATCH = N_("These details do not match our records. Check the number, the name and the ID number.")
TOO_MANY = N_("Too many failed attempts. Please wait %(minutes)s minutes and try again.")
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


def _code_problem(result: str) -> str:
    return {"wrong": CODE_WRONG, "locked": CODE_LOCKED}.get(result, CODE_EXPIRED)


async def _address_throttled(request: Request, key: str) -> bool:
    sec = _security(request)
    return await throttle.is_throttled({f"{key}:addr:{client_address(request)}": sec.login_max_failures * 4}, sec.login_window_minutes)


@get("/signup", opt=PUBLIC, name="signup")
async def signup_form(request: Request) -> Response:
    return await render(request, "auth/signup.html", {"form": Form({"channel": "sms"})})


@post("/signup", opt=PUBLIC)
async def signup_submit(request: Request) -> Response:
    hall = request.app.state.hall
    ri = info(request)
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
    if form.valid and await _address_throttled(request, "signup"):
        form.error("number", TOO_MANY, minutes=_security(request).login_window_minutes)
    verified = None
    if form.valid:
        verified = await verify_identity(hall, ri.tenant, number=form.value("number"), name=form.value("name"), id_number=form.value("id_number"))
        if verified is None:
            await throttle.record_failure(f"signup:addr:{client_address(request)}")
            form.error("number", NO_MATCH)
    if verified is not None:
        if await account_of_customer(verified.customer["legacy_id"]):
            form.error("number", N_("You already have an account. Log in, or reset your password if you forgot it."))
        else:
            recipient = verified.customer["email"] if channel == "email" else verified.customer["phone"]
            if not recipient:
                form.error("channel", N_("We have no contact of that kind on file for you. Choose the other way."))
    if not form.valid:
        return await render(request, "auth/signup.html", {"form": form}, status=400)
    flow, code = await otp.issue(secret=hall.secret, purpose="signup", subject=verified.customer["legacy_id"],
                                 minutes=_security(request).otp_minutes, payload={"number": verified.number, "channel": channel})
    await send_code(request, channel=channel, recipient=recipient, code=code, purpose="signup")
    return await render(request, "auth/signup_verify.html", {"form": Form({"flow": flow}), "sent_to": mask_contact(recipient)})


@post("/signup/verify", opt=PUBLIC)
async def signup_verify(request: Request) -> Response:
    hall = request.app.state.hall
    ri = info(request)
    sec = _security(request)
    form = await Form.from_request(request)
    _check_code_and_new_password(form)
    sent_to = ""
    if form.valid:
        result, row = await otp.check(secret=hall.secret, purpose="signup", flow=form.value("flow"), code=form.value("code"), max_attempts=sec.otp_max_attempts)
        if result == "ok":
            customer = await Customer.select().where(Customer.legacy_id == row["subject"]).first()
            password_hash = await hash_password(form.raw("password"))
            async with transaction():
                if await account_of_customer(row["subject"]):
                    form.error("code", N_("You already have an account. Log in, or reset your password if you forgot it."))
                else:
                    account_id = await create_account(customer=customer, number=row["payload"]["number"], password_hash=password_hash, language=ri.language)
            if form.valid:
                account = await CustomerAccount.select().where(CustomerAccount.id == account_id).first()
                for result_ in hall.hooks_for(ri.tenant).customer_registered(hall=hall, tenant=ri.tenant, account=account):
                    await await_me_maybe(result_)
                response = redirect(request, "/account?welcome=1")
                await start_session(request, response, "customer", account_id, {"name": customer["name"], "language": ri.language})
                return response
        else:
            form.error("code", _code_problem(result))
    return await render(request, "auth/signup_verify.html", {"form": form, "sent_to": sent_to}, status=400)


@get("/login", opt=PUBLIC, name="login")
async def login_form(request: Request, next: FromQuery[str | None] = None) -> Response:  # noqa: A002
    return await render(request, "auth/login.html", {"form": Form({"next": next or ""})})


@post("/login", opt=PUBLIC)
async def login_submit(request: Request) -> Response:
    sec = _security(request)
    form = await Form.from_request(request)
    form.require("login", "password")
    ident = form.value("login").lower()
    keys = {f"login:acct:{ident}": sec.login_max_failures, f"login:addr:{client_address(request)}": sec.login_max_failures * 4}
    if form.valid and await throttle.is_throttled(keys, sec.login_window_minutes):
        form.error("login", TOO_MANY, minutes=sec.login_window_minutes)
    if form.valid:
        account = await account_by_login(form.value("login"))
        ok = await verify_password(account["password_hash"] if account else None, form.raw("password"))
        if ok and account["active"]:
            await throttle.clear(f"login:acct:{ident}")
            await CustomerAccount.update({CustomerAccount.last_login_at: dt.datetime.now(dt.timezone.utc)}).where(CustomerAccount.id == account["id"])
            customer = await Customer.select(Customer.name).where(Customer.legacy_id == account["customer_legacy_id"]).first()
            response = redirect(request, safe_next(request, form.value("next"), "/account"))
            data = {"name": customer["name"] if customer else "", "language": account["language"] or info(request).language}
            await start_session(request, response, "customer", account["id"], data)
            return response
        await throttle.record_failure(*keys)
        form.error("login", N_("The log-in name or the password is wrong."))
    return await render(request, "auth/login.html", {"form": form}, status=400)


@post("/logout", opt=PUBLIC)
async def logout(request: Request) -> Response:
    response = redirect(request, "/")
    await stop_session(request, response)
    return response


@get("/reset", opt=PUBLIC)
async def reset_form(request: Request) -> Response:
    return await render(request, "auth/reset.html", {"form": Form({"channel": "sms"})})


@post("/reset", opt=PUBLIC)
async def reset_submit(request: Request) -> Response:
    hall = request.app.state.hall
    form = await Form.from_request(request)
    form.require("login")
    channel = form.value("channel") if form.value("channel") in ("sms", "email") else "sms"
    if form.valid and await _address_throttled(request, "reset"):
        form.error("login", TOO_MANY, minutes=_security(request).login_window_minutes)
    if not form.valid:
        return await render(request, "auth/reset.html", {"form": form}, status=400)
    await throttle.record_failure(f"reset:addr:{client_address(request)}")  # every request counts: this form sends messages
    account = await account_by_login(form.value("login"))
    customer = await Customer.select().where(Customer.legacy_id == account["customer_legacy_id"]).first() if account else None
    recipient = (customer["email"] if channel == "email" else customer["phone"]) if customer else ""
    if account and recipient:
        flow, code = await otp.issue(secret=hall.secret, purpose="reset", subject=str(account["id"]), minutes=_security(request).otp_minutes)
        await send_code(request, channel=channel, recipient=recipient, code=code, purpose="reset")
    else:
        flow = secrets.token_urlsafe(24)  # same page either way: the form does not reveal which accounts exist
    return await render(request, "auth/reset_verify.html", {"form": Form({"flow": flow})})


@post("/reset/verify", opt=PUBLIC)
async def reset_verify(request: Request) -> Response:
    hall = request.app.state.hall
    sec = _security(request)
    form = await Form.from_request(request)
    _check_code_and_new_password(form)
    if form.valid:
        result, row = await otp.check(secret=hall.secret, purpose="reset", flow=form.value("flow"), code=form.value("code"), max_attempts=sec.otp_max_attempts)
        if result == "ok":
            account_id = int(row["subject"])
            await CustomerAccount.update({CustomerAccount.password_hash: await hash_password(form.raw("password"))}).where(CustomerAccount.id == account_id)
            await end_sessions_of("customer", account_id)
            return await render(request, "auth/reset_done.html", {})
        form.error("code", _code_problem(result))
    return await render(request, "auth/reset_verify.html", {"form": form}, status=400)


HANDLERS = [signup_form, signup_submit, signup_verify, login_form, login_submit, logout, reset_form, reset_submit, reset_verify]
