"""The customer's pages: the number search (open to visitors, rate-limited), holding a number, the installation
application. The order page, payment and milestones are the core's (``account:product_order``)."""

from __future__ import annotations

import datetime as dt
import secrets

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from core.api import N_, zone_of
from . import clock
from core.api.products import NotEligible, ProductError
from core.api.web import (
    FieldErrors,
    Form,
    HallDep,
    TenantDep,
    ThrottleRule,
    client_address,
    gettext,
    info,
    redirect_to,
    render,
    reserve_attempt,
    until,
)

from . import holds, install, pool

PUBLIC = {"auth": "public"}
CUSTOMER = {"auth": "customer"}
NO_POOL = N_("Number selection is not available right now. Please try again later.")
TOO_MANY = N_("Too many searches from your network. You can search again after %(time)s.")


def _settings(tenant):
    return tenant.plugin_settings("phone")


async def _hold_of(request: Request) -> dict | None:
    customer = info(request).customer
    return await holds.current(customer.id) if customer is not None else None


@get("/", opt=PUBLIC, name="phone:index")
async def index(request: Request, tenant: TenantDep) -> Response:
    return await render(request, "phone/index.html", {"hold": await _hold_of(request), "settings": _settings(tenant)})


async def _numbers_page(request: Request, hall, tenant, form: Form, *, status: int = 200) -> Response:
    settings, source = _settings(tenant), pool.pool_of(hall, tenant)
    offers, next_after, notice = [], "", ""
    try:
        filters = pool.parse_filters(form.data, settings)
    except FieldErrors as problems:
        form.take(problems)
        filters, status = None, 400
    if filters is not None and source is not None:
        held = await reserve_attempt(
            ThrottleRule(
                f"phone:search:{client_address(request)}", dt.timedelta(hours=1), limit=settings.searches_per_hour
            )
        )
        if not held.ok:
            notice, status = gettext(request)(TOO_MANY) % {"time": until(request, held.retry_at)}, 429
        else:
            try:
                offers, next_after = await pool.search(source, settings, filters)
            except (ConnectionError, OSError, ValueError):
                notice, status = gettext(request)(NO_POOL), 503
    elif source is None:
        notice = gettext(request)(NO_POOL)
    return await render(
        request,
        "phone/numbers.html",
        {
            "form": form,
            "offers": offers,
            "next_after": next_after,
            "notice": notice,
            "settings": settings,
            "hold": await _hold_of(request),
        },
        status=status,
    )


@get("/numbers", opt=PUBLIC, name="phone:numbers")
async def numbers(request: Request, hall: HallDep, tenant: TenantDep) -> Response:
    values = {k: str(request.query_params.get(k) or "")[:16] for k in pool.FILTERS}
    return await _numbers_page(request, hall, tenant, Form(values))


@post("/numbers", opt=CUSTOMER, name="phone:numbers.hold")
async def hold(request: Request, hall: HallDep, tenant: TenantDep) -> Response:
    """Hold the number the customer picked; "just taken" next to it when someone else was quicker."""
    form = await Form.from_request(request)
    settings, source = _settings(tenant), pool.pool_of(hall, tenant)
    number = form.value("number")[:32]
    customer = await install.customer_of(info(request).customer.id)
    try:
        offer = await pool.offer_of(source, settings, number) if source and number.isdigit() else None
        if offer is None or customer is None:
            problems = FieldErrors()
            problems.add("number", holds.JUST_TAKEN)
            raise problems
        await holds.take(
            settings,
            number=offer.number,
            kind=offer.pool.kind,
            account_id=customer.account_id,
            customer_id=customer.legacy_id,
            identity=customer.identity,
            grade=offer.grade,
            pool=offer.pool,
        )
    except FieldErrors as problems:
        form.take(problems)
        return await _numbers_page(request, hall, tenant, form, status=409)
    return redirect_to(request, "phone:apply")


@post("/release/{hold_id:int}", opt=CUSTOMER, name="phone:release")
async def release(request: Request, hold_id: FromPath[int]) -> Response:
    await holds.release(info(request).customer.id, hold_id)
    return redirect_to(request, "phone:numbers")


async def _apply_page(request: Request, hall, tenant, form: Form, hold: dict | None, *, notice="", status=200):
    settings = _settings(tenant)
    plans = await install.plans_for(hall, tenant, hold["kind"]) if hold else []
    today = clock.now().astimezone(zone_of(tenant)).date()
    return await render(
        request,
        "phone/apply.html",
        {
            "form": form,
            "hold": hold,
            "plans": plans,
            "settings": settings,
            "notice": notice,
            "token": form.value("token") or secrets.token_urlsafe(16),
            "min_date": (today + dt.timedelta(days=1)).isoformat(),
        },
        status=status,
    )


@get("/apply", opt=CUSTOMER, name="phone:apply")
async def apply_form(request: Request, hall: HallDep, tenant: TenantDep) -> Response:
    hold = await _hold_of(request)
    if hold is None:
        return redirect_to(request, "phone:numbers")
    return await _apply_page(request, hall, tenant, Form(), hold)


@post("/apply", opt=CUSTOMER, name="phone:apply.submit")
async def apply_submit(request: Request, hall: HallDep, tenant: TenantDep) -> Response:
    ri = info(request)
    form = await Form.from_request(request)
    customer = await install.customer_of(ri.customer.id)
    if customer is None:
        raise NotFoundException()
    hold = await holds.current(customer.account_id)
    _ = gettext(request)
    title = _("New line %(number)s") % {"number": hold["number"] if hold else ""}
    try:
        order = await install.apply(hall, tenant, _settings(tenant), customer, form, title, ri.language)
    except FieldErrors as problems:
        form.take(problems)
        return await _apply_page(request, hall, tenant, form, hold, status=400)
    except NotEligible as exc:
        message, params = exc.reasons[0]
        form.error("plan", message, **params)
        return await _apply_page(request, hall, tenant, form, hold, status=400)
    except ProductError as exc:
        return await _apply_page(request, hall, tenant, form, hold, notice=exc.message, status=exc.status)
    return redirect_to(request, "account:product_order", order_id=order["id"])


HANDLERS = [index, numbers, hold, release, apply_form, apply_submit]
