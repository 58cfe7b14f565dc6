"""The logged-in customer's own pages: overview, linked numbers, password, language."""

from __future__ import annotations

import datetime as dt

from litestar import Request, Response, get, post

from core.auth import account_service, login_guard, throttle
from core.auth.customers import customer_for_account, customer_numbers, find_number, linked_numbers
from core.auth.passwords import password_problem, verify_password
from core.auth.sessions import set_session_data
from core.auth.tables import CustomerAccount
from core.i18n import LANGUAGES, N_
from core.privacy import id_hash, mask_contact, normalise_id_number
from core.web.context import client_address, info
from core.web.data_as_of import data_as_of_context
from core.web.forms import Form
from core.web.principal import LANG_COOKIE
from core.web.render import redirect, redirect_to, render
from core.web.next_target import safe_next
from core.web.pagecache import cached_page
from core.web.waits import LOGIN_WAIT, until


async def _overview(request: Request, link_form: Form | None = None, status: int = 200) -> Response:
    ri = info(request)
    account, customer = await customer_for_account(ri.customer.id)
    linked = await linked_numbers(account["id"])
    others = [
        n
        for n in await customer_numbers(customer["legacy_id"])
        if n["number"] not in linked and n["status"] == "active"
    ]
    return await render(
        request,
        "account/overview.html",
        {
            "account": account,
            "customer_name": customer["name"],
            "id_masked": customer["id_masked"],
            "email_masked": mask_contact(customer["email"]) if customer["email"] else "",
            "phone_masked": mask_contact(customer["phone"]) if customer["phone"] else "",
            "linked": linked,
            "linkable": [n["number"] for n in others],
            "link_form": link_form or Form(),
            "welcome": request.query_params.get("welcome") == "1",
            **await data_as_of_context(request, ("customers",)),
        },
        status=status,
    )


@get("/account", name="account:overview", opt=cached_page())
async def account_overview(request: Request) -> Response:
    return await _overview(request)


@post("/account/link", name="account:link")
async def link_number(request: Request) -> Response:
    """Link another number of the same customer: the ID number is asked again as proof."""
    hall = request.app.state.hall
    ri = info(request)
    form = await Form.from_request(request)
    form.require("number", "id_number")
    account, customer = await customer_for_account(ri.customer.id)
    sec = hall.deployment.security
    # the ID number is a secret too: wrong ones per account are capped like sign-up's (a match does not count)
    rule = throttle.Rule(
        f"link:acct:{account['id']}", dt.timedelta(minutes=sec.login_window_minutes), limit=sec.login_max_failures
    )
    held = await throttle.reserve(rule) if form.valid else None
    if held is not None and not held.ok:
        form.error("number", LOGIN_WAIT, time=until(request, held.retry_at))
    elif form.valid:
        try:
            ok_id = id_hash(hall.secret, normalise_id_number(form.value("id_number"))) == customer["id_hash"]
        except ValueError:
            ok_id = False
        if ok_id:
            await throttle.release(held, rule.key)
        sn = await find_number(hall, ri.tenant, form.value("number")) if ok_id else None
        if not ok_id or sn is None or sn["customer_legacy_id"] != customer["legacy_id"] or sn["status"] != "active":
            form.error("number", N_("This number is not registered to you, or the ID number does not match."))
        elif not await account_service.link_number(account["id"], sn["number"]):
            form.error("number", N_("This number is already linked."))
        else:
            return redirect_to(request, "account:overview", query={"linked": sn["number"]})
    return await _overview(request, form, status=400)


@get("/account/password", name="account:password")
async def password_form(request: Request) -> Response:
    return await render(request, "account/password.html", {"form": Form()})


@post("/account/password", name="account:password.submit")
async def password_change(request: Request) -> Response:
    ri = info(request)
    form = await Form.from_request(request)
    form.require("current", "password", "password_confirm")
    account = await CustomerAccount.select().where(CustomerAccount.id == ri.customer.id).first()
    if form.valid:  # guessing the current password is throttled like log-in (a stolen session must not brute-force it)
        outcome = await login_guard.attempt(
            request.app.state.hall.deployment.security,
            scope="login",
            account=f"a{account['id']}",
            address=client_address(request),
            verify=lambda: verify_password(account["password_hash"], form.raw("current")),
        )
        if outcome.retry_at is not None:
            form.error("current", LOGIN_WAIT, time=until(request, outcome.retry_at))
        elif not outcome.ok:
            form.error("current", N_("Your current password is not right."))
    problem = password_problem(form.raw("password"), form.raw("password_confirm")) if form.raw("password") else None
    if problem:
        form.error("password", problem)
    if not form.valid:
        return await render(request, "account/password.html", {"form": form}, status=400)
    await account_service.set_password(account["id"], form.raw("password"), keep_token=ri.session_token)
    return await render(request, "account/password.html", {"form": Form(), "done": True})


@post("/language", opt={"auth": "public"}, name="site:language")
async def choose_language(request: Request) -> Response:
    ri = info(request)
    form = await Form.from_request(request)
    lang = form.value("language")
    response = redirect(request, safe_next(request, form.value("next"), "site:home"))
    if lang in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, path=ri.base or "/", max_age=365 * 86400, samesite="lax")
        if ri.principal is not None:
            data = {**ri.principal.data, "language": lang}
            await set_session_data(ri.principal.session_id, data)
            if ri.customer is not None:
                await account_service.set_language(ri.customer.id, lang)
    return response


HANDLERS = [account_overview, link_number, password_form, password_change, choose_language]
