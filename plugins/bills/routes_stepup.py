"""Step-up for call records: send a one-time code to the phone or e-mail on file, check it, remember it for the session."""

from __future__ import annotations

from litestar import Request, Response, get, post

from core.auth import otp, throttle
from core.auth.customers import customer_for_account
from core.i18n import N_
from core.privacy import mask_contact
from core.web.codes import send_code
from core.web.context import info
from core.web.forms import Form
from core.web.next_target import resolve_next
from core.web.render import redirect, render
from plugins.bills import stepup

SENDS_PER_WINDOW = 5  # codes one account may ask for per [security] login_window_minutes


def safe_next(request: Request, target: str) -> str:
    """Only back to a bills page of this tenant (no open redirect); the tenant prefix is added by redirect()."""
    path = resolve_next(target, info(request).base, "/bills/")
    return path if path.startswith("/bills/") else "/bills/"


async def _contacts(request: Request) -> dict[str, str]:
    _account, customer = await customer_for_account(info(request).customer.id)
    return {k: v for k, v in (("sms", customer["phone"]), ("email", customer["email"])) if v}


async def _page(request: Request, form: Form, *, flow: str = "", status: int = 200) -> Response:
    contacts = await _contacts(request)
    return await render(request, "bills/step_up.html", {
        "form": form, "flow": flow, "next": safe_next(request, form.value("next")),
        "contacts": {k: mask_contact(v) for k, v in contacts.items()}}, status=status)


@get("/step-up")
async def step_up_page(request: Request) -> Response:
    return await _page(request, Form({"next": request.query_params.get("next", ""), "channel": "sms"}))


@post("/step-up/send")
async def step_up_send(request: Request) -> Response:
    hall = request.app.state.hall
    ri = info(request)
    form = await Form.from_request(request)
    contacts = await _contacts(request)
    channel = form.value("channel") or "sms"
    security = hall.deployment.security
    key = f"bills.step_up:acct:{ri.customer.id}"
    if channel not in contacts:
        form.error("channel", N_("We have no contact of that kind on file for you. Choose the other way."))
    elif await throttle.is_throttled({key: SENDS_PER_WINDOW}, security.login_window_minutes):
        form.error("channel", N_("Too many codes were sent. Please wait a while and try again."))
    if not form.valid:
        return await _page(request, form, status=400)
    await throttle.record_failure(key)  # every send counts: this form sends messages
    flow, code = await otp.issue(secret=hall.secret, purpose=stepup.PURPOSE, subject=str(ri.customer.id),
                                 minutes=security.otp_minutes, payload={"channel": channel})
    await send_code(request, channel=channel, recipient=contacts[channel], code=code, purpose=stepup.PURPOSE)
    return await _page(request, Form({"next": form.value("next"), "channel": channel}), flow=flow)


@post("/step-up/verify")
async def step_up_verify(request: Request) -> Response:
    hall = request.app.state.hall
    ri = info(request)
    form = await Form.from_request(request)
    form.require("code")
    flow = form.value("flow")
    if form.valid:
        result, row = await otp.check(secret=hall.secret, purpose=stepup.PURPOSE, flow=flow, code=form.value("code"),
                                      max_attempts=hall.deployment.security.otp_max_attempts)
        if result == "ok" and row["subject"] == str(ri.customer.id):
            await stepup.remember(ri.customer.session_id, ri.customer.id)
            return redirect(request, safe_next(request, form.value("next")))
        if result == "wrong":
            form.error("code", N_("That code is not right. Check it and try again."))
        else:
            form.error("code", N_("That code has expired or was tried too often. Ask for a new one."))
            flow = ""
    return await _page(request, form, flow=flow, status=400)


HANDLERS = [step_up_page, step_up_send, step_up_verify]
