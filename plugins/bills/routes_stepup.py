"""Step-up for call records: send a one-time code to the phone or e-mail on file, check it, remember it for the session."""

from __future__ import annotations

from litestar import Request, Response, get, post

from core.api import N_, mask_contact
from core.api.identity import customer_for_account, otp
from core.api.web import (
    GUESS_WAIT,
    SEND_WAIT,
    Form,
    info,
    path_for,
    redirect,
    refused_until,
    render,
    resolve_next,
    send_code,
    until,
)
from plugins.bills import stepup


def safe_next(request: Request, target: str) -> str:
    """Only back to a bills page of this tenant (no open redirect); the tenant prefix is added by redirect()."""
    bills_home = path_for(request, "bills:list")
    path = resolve_next(target, info(request).base, bills_home)
    return path if path.startswith(bills_home) else bills_home


async def _contacts(request: Request) -> dict[str, str]:
    _account, customer = await customer_for_account(info(request).customer.id)
    return {k: v for k, v in (("sms", customer["phone"]), ("email", customer["email"])) if v}


async def _identity(request: Request) -> str:
    """The customer behind the account: the send and guess limits are the customer's, whatever the flow."""
    _account, customer = await customer_for_account(info(request).customer.id)
    return f"cust:{customer['legacy_id']}"


async def _page(request: Request, form: Form, *, flow: str = "", status: int = 200) -> Response:
    contacts = await _contacts(request)
    return await render(
        request,
        "bills/step_up.html",
        {
            "form": form,
            "flow": flow,
            "next": safe_next(request, form.value("next")),
            "contacts": {k: mask_contact(v) for k, v in contacts.items()},
        },
        status=status,
    )


@get("/step-up", name="bills:step_up")
async def step_up_page(request: Request) -> Response:
    return await _page(request, Form({"next": request.query_params.get("next", ""), "channel": "sms"}))


@post("/step-up/send", name="bills:step_up.send")
async def step_up_send(request: Request) -> Response:
    hall = request.app.state.hall
    ri = info(request)
    form = await Form.from_request(request)
    contacts = await _contacts(request)
    channel = form.value("channel") or "sms"
    security = hall.deployment.security
    identity = await _identity(request)
    if channel not in contacts:
        form.error("channel", N_("We have no contact of that kind on file for you. Choose the other way."))
    elif retry_at := await refused_until(request, recipient=contacts[channel], identity=identity):
        form.error("channel", SEND_WAIT, time=until(request, retry_at))
    if not form.valid:
        return await _page(request, form, status=400)
    flow, code = await otp.issue(
        secret=hall.secret,
        purpose=stepup.PURPOSE,
        subject=str(ri.customer.id),
        minutes=security.otp_minutes,
        identity=identity,
        payload={"channel": channel},
    )
    await send_code(request, channel=channel, recipient=contacts[channel], code=code, purpose=stepup.PURPOSE)
    return await _page(request, Form({"next": form.value("next"), "channel": channel}), flow=flow)


@post("/step-up/verify", name="bills:step_up.verify")
async def step_up_verify(request: Request) -> Response:
    hall = request.app.state.hall
    ri = info(request)
    form = await Form.from_request(request)
    form.require("code")
    flow = form.value("flow")
    if form.valid:
        security = hall.deployment.security
        result, row, retry_at = await otp.check(
            secret=hall.secret,
            purpose=stepup.PURPOSE,
            flow=flow,
            code=form.value("code"),
            max_attempts=security.otp_max_attempts,
            guesses_per_day=security.otp_guesses_per_day,
        )
        if result == "ok" and row["subject"] == str(ri.customer.id):
            await stepup.remember(ri.customer.session_id, ri.customer.id)
            return redirect(request, safe_next(request, form.value("next")))
        if result == "wrong":
            form.error("code", N_("That code is not right. Check it and try again."))
        elif result == "throttled":
            form.error("code", GUESS_WAIT, time=until(request, retry_at))
        else:
            form.error("code", N_("That code has expired or was tried too often. Ask for a new one."))
            flow = ""
    return await _page(request, form, flow=flow, status=400)


HANDLERS = [step_up_page, step_up_send, step_up_verify]
