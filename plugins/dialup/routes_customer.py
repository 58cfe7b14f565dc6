"""The customer's pages: my dial-up accounts and the access numbers, opening one, one account (balance, password,
renewal) and its usage by month with a CSV export."""

from __future__ import annotations

import secrets

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from core.api.payments import PaymentError, checkout_response, customer_legacy_id
from core.api.products import ProductError, get_product_order
from core.api.web import Form, HallDep, TenantDep, gettext, info, redirect_to, render

from . import accounts, opening, renewals, views
from .radius_db import RadiusDbError


async def _mine(request: Request, username: str) -> dict:
    account = await accounts.by_username(username.strip().lower()[:64])
    if account is None or account["customer_legacy_id"] != await customer_legacy_id(request):
        raise NotFoundException()
    return account


@get("/", name="dialup:index")
async def index(request: Request, hall: HallDep, tenant: TenantDep) -> Response:
    mine = await accounts.of_customer(await customer_legacy_id(request))
    rows = [await views.summary(hall, tenant, a, info(request).language) for a in mine]
    return await render(
        request, "dialup/index.html", {"rows": rows, "numbers": views.access_numbers(tenant, info(request).language)}
    )


async def _open_page(request: Request, tenant, form: Form, *, notice: str = "", status: int = 200) -> Response:
    form.data.setdefault("token", secrets.token_urlsafe(16))
    return await render(
        request,
        "dialup/open.html",
        {"form": form, "packages": views.package_rows(tenant, info(request).language), "notice": notice},
        status=status,
    )


@get("/open", name="dialup:open")
async def open_form(request: Request, tenant: TenantDep) -> Response:
    form = Form({"offering": request.query_params.get("package", "")[:64]})
    return await _open_page(request, tenant, form)


@post("/open", name="dialup:open.post")
async def open_post(request: Request, hall: HallDep, tenant: TenantDep) -> Response:
    ri = info(request)
    form = await Form.from_request(request)
    _ = gettext(request)
    username = form.value("username").lower()
    try:
        order = await opening.open_account(
            hall,
            tenant,
            customer_id=await customer_legacy_id(request),
            account_id=ri.customer.id,
            username=username,
            password=form.raw("password"),
            again=form.raw("password_again"),
            offering=form.value("offering"),
            token=form.value("token")[:40] or secrets.token_urlsafe(16),
            title=_("Dial-up account %(username)s") % {"username": username},
            language=ri.language,
        )
    except opening.OpenErrors as problems:
        for name, (message, params) in problems.errors.items():
            form.error(name, message, **params)
        return await _open_page(request, tenant, form, status=400)
    except ProductError as exc:
        return await _open_page(request, tenant, form, notice=exc.message, status=exc.status)
    return redirect_to(request, "account:product_order", order_id=order["id"])


async def _account_page(
    request: Request,
    hall,
    tenant,
    account: dict,
    *,
    form: Form | None = None,
    notice: str = "",
    params: dict | None = None,
    status: int = 200,
) -> Response:
    account = await opening.provision_now(hall, tenant, account)
    await renewals.refund_closed(hall)
    try:
        await renewals.push_paid(hall, tenant, account)
        if account["state"] == "active" and account["kind"] != "unlimited":
            await accounts.sync(hall, tenant, await accounts.by_id(account["id"]))  # used up: stopped at once
    except RadiusDbError:
        pass
    account = await accounts.by_id(account["id"])
    order = await get_product_order(account["order_id"]) if account["order_id"] else None
    return await render(
        request,
        "dialup/account.html",
        {
            "a": await views.summary(hall, tenant, account, info(request).language),
            "order": order,
            "form": form or Form(),
            "token": secrets.token_urlsafe(16),
            "notice": notice or request.query_params.get("done", "")[:20],
            "notice_params": params or {},
        },
        status=status,
    )


@get("/a/{username:str}", name="dialup:account")
async def account_page(request: Request, username: FromPath[str], hall: HallDep, tenant: TenantDep) -> Response:
    return await _account_page(request, hall, tenant, await _mine(request, username))


@post("/a/{username:str}/password", name="dialup:password")
async def change_password(request: Request, username: FromPath[str], hall: HallDep, tenant: TenantDep) -> Response:
    account = await _mine(request, username)
    form = await Form.from_request(request)
    try:
        await accounts.change_password(
            hall, tenant, account, form.raw("password_old"), form.raw("password_new"), form.raw("password_again")
        )
    except accounts.AccountError as exc:
        if exc.field:
            form.error(f"password_{exc.field}", exc.message, **exc.params)
            return await _account_page(request, hall, tenant, account, form=form, status=400)
        return await _account_page(
            request,
            hall,
            tenant,
            account,
            form=form,
            notice=exc.message,
            params=exc.params,
            status=429 if "time" in exc.params else 409,
        )
    return redirect_to(request, "dialup:account", username=account["username"], query={"done": "password"})


@post("/a/{username:str}/renew", name="dialup:renew")
async def renew(request: Request, username: FromPath[str], hall: HallDep, tenant: TenantDep) -> Response:
    account = await _mine(request, username)
    form = await Form.from_request(request)
    _ = gettext(request)
    try:
        intent = await renewals.start(
            hall,
            tenant,
            account,
            form.value("token")[:40] or secrets.token_urlsafe(16),
            _("Renewal of dial-up account %(username)s") % {"username": account["username"]},
        )
    except accounts.AccountError as exc:
        return await _account_page(request, hall, tenant, account, notice=exc.message, status=409)
    except PaymentError:
        return await _account_page(request, hall, tenant, account, notice="renew-failed", status=409)
    return await checkout_response(request, intent)


@get("/a/{username:str}/usage", name="dialup:usage")
async def usage(request: Request, username: FromPath[str], hall: HallDep, tenant: TenantDep) -> Response:
    account = await _mine(request, username)
    context = await views.usage_context(request, hall, tenant, account)
    return await render(request, "dialup/usage.html", context, status=400 if context.get("bad_month") else 200)


@get("/a/{username:str}/usage.csv", name="dialup:usage.csv")
async def usage_csv(request: Request, username: FromPath[str], hall: HallDep, tenant: TenantDep) -> Response:
    account = await _mine(request, username)
    body, filename = await views.usage_csv(request, hall, tenant, account)
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


HANDLERS = [index, open_form, open_post, account_page, change_password, renew, usage, usage_csv]
