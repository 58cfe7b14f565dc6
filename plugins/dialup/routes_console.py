"""Console: dial-up accounts searched by user name or customer; one account with its RADIUS state; lock and unlock
(``dialup.lock``, audited) as product suspensions for the reason ``operator``."""

from __future__ import annotations

import secrets

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from core.api import N_
from core.api.products import ProductError, act
from core.api.web import AuditorDep, Form, HallDep, TenantDep, info, paginate, redirect_to, render

from . import accounts, views
from .tables import DialupAccount

VIEW = {"auth": "operator", "permission": "dialup.view"}
LOCK = {"auth": "operator", "permission": "dialup.lock"}
OUTCOMES = {"locked": N_("The account is locked: it cannot dial in."), "unlocked": N_("The account is unlocked.")}


@get("/console", opt=VIEW, name="dialup:console")
async def search(request: Request, tenant: TenantDep) -> Response:
    q = (request.query_params.get("q") or "").strip()[:64]
    query = DialupAccount.select().order_by(DialupAccount.id, ascending=False)
    if q:
        query = query.where((DialupAccount.username.like(f"%{q.lower()}%")) | (DialupAccount.customer_legacy_id == q))
    page = await paginate(request, query)
    return await render(
        request,
        "dialup/console_list.html",
        {"rows": page.rows, "q": q, **page.template_context},
        audience="operator",
    )


async def _page(request: Request, hall, tenant, account_id: int, *, notice: str = "", status: int = 200):
    account = await accounts.by_id(account_id)
    if account is None:
        raise NotFoundException()
    principal = info(request).principal
    return await render(
        request,
        "dialup/console_account.html",
        {
            "a": await views.summary(hall, tenant, account, info(request).language),
            "product": await accounts.product_of(account),
            "form": Form(),
            "token": secrets.token_urlsafe(16),
            "notice": notice,
            "can_lock": bool(principal and principal.can("dialup.lock")),
        },
        status=status,
        audience="operator",
    )


@get("/console/{account_id:int}", opt=VIEW, name="dialup:console.account")
async def account_page(request: Request, account_id: FromPath[int], hall: HallDep, tenant: TenantDep) -> Response:
    return await _page(request, hall, tenant, account_id, notice=OUTCOMES.get(request.query_params.get("done", ""), ""))


async def _lock(request: Request, hall, tenant, auditor, account_id: int, locking: bool) -> Response:
    account = await accounts.by_id(account_id)
    if account is None:
        raise NotFoundException()
    form = await Form.from_request(request)
    product = await accounts.product_of(account)
    if product is None or account["state"] != "active":
        return await _page(
            request, hall, tenant, account_id, notice=N_("Only an open account can be locked."), status=409
        )
    token = form.value("token")[:40] or secrets.token_urlsafe(16)
    action = "suspend" if locking else "resume"
    try:
        req = await act(
            hall,
            tenant,
            product["id"],
            action,
            key=f"dialup:{action}:{product['id']}:{token}",
            params={"reason": "operator", "note": form.value("reason")[:200]},
        )
    except ProductError as exc:
        return await _page(request, hall, tenant, account_id, notice=exc.message, status=exc.status)
    await auditor.record(
        "dialup.lock" if locking else "dialup.unlock",
        object_type="dialup_account",
        object_id=account_id,
        before={"locked": account["locked"]},
        after={"request": req["request_key"], "state": req["state"], "reason": form.value("reason")[:200]},
        summary=account["username"],
    )
    if req["state"] != "done":
        return await _page(
            request,
            hall,
            tenant,
            account_id,
            notice=N_("The dial-up server could not be told; the step waits on the product's page for a retry."),
            status=502,
        )
    return redirect_to(
        request, "dialup:console.account", account_id=account_id, query={"done": "locked" if locking else "unlocked"}
    )


@post("/console/{account_id:int}/lock", opt=LOCK, name="dialup:console.lock")
async def lock(
    request: Request, account_id: FromPath[int], hall: HallDep, tenant: TenantDep, auditor: AuditorDep
) -> Response:
    return await _lock(request, hall, tenant, auditor, account_id, True)


@post("/console/{account_id:int}/unlock", opt=LOCK, name="dialup:console.unlock")
async def unlock(
    request: Request, account_id: FromPath[int], hall: HallDep, tenant: TenantDep, auditor: AuditorDep
) -> Response:
    return await _lock(request, hall, tenant, auditor, account_id, False)


HANDLERS = [search, account_page, lock, unlock]
