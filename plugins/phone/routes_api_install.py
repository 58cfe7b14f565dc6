"""A new line (装机) through the public API: ``GET /phoneNumber`` searches the pool (the web page's filters and its
per-network rate limit), ``POST /phoneNumberHold`` holds one (the same hold: one per customer, a limit per identity,
the database's unique index per number), then ``POST /productOrder`` ``add`` of a line plan places the installation
(:data:`KINDS`, the page's :func:`install.apply`: address, slot, payment step). Shapes: docs/api.md."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar import Request, Response, get, post
from litestar.params import Parameter
from msgspec import Struct, field

from core.api import N_
from core.api.tmf import ApiError, OrderRequest, ProductOrderKind, api_caller, errors, href, listing, money, one
from core.api.web import FieldErrors, Form, ThrottleRule, client_address, info, reserve_attempt, until

from . import holds, install, pool
from .routes_api_holds import PhoneNumberHold, hold_view

Filter = Annotated[str | None, Parameter(max_length=16, required=False)]
NO_POOL = N_("Number selection is not available right now. Please try again later.")
TOO_MANY = N_("Too many searches from your network. You can search again after %(time)s.")


class PhoneNumber(Struct, omit_defaults=True):
    id: str
    href: str | None = None
    type_: str | None = field(default=None, name="@type")
    kind: str | None = None
    grade: str | None = None
    prepayment: dict | None = None
    minimumMonthlySpend: dict | None = None


class HoldCreate(Struct):
    number: str


def _number(request: Request, offer: pool.Offer) -> dict:
    return {
        "id": offer.number,
        "href": href(request, "phoneNumber", offer.number),
        "@type": "PhoneNumber",
        "kind": offer.pool.kind,
        "grade": offer.grade.code if offer.grade else "ordinary",
        "prepayment": money(offer.prepay_fen),
        "minimumMonthlySpend": money(offer.min_spend_fen),
    }


@get("/phoneNumber", opt={"scope": "catalog.read"}, name="phone:api.numbers", responses=errors(409))
async def search_numbers(
    request: Request,
    kind: Filter = None,
    segment: Filter = None,
    contains: Filter = None,
    ends_with: Filter = None,
    without: Filter = None,
    grade: Filter = None,
    after: Filter = None,
) -> Response[list[PhoneNumber]]:
    """One page of free numbers (the page's filters; ``after``: the last ``id`` seen), rate-limited per network."""
    hall, tenant = request.app.state.hall, info(request).tenant
    settings, source = tenant.plugin_settings("phone"), pool.pool_of(hall, tenant)
    values = dict(kind=kind, segment=segment, contains=contains, ends_with=ends_with, without=without, grade=grade)
    try:
        filters = pool.parse_filters({**values, "after": after}, settings)
    except FieldErrors as problems:
        name = next(iter(problems.errors))
        raise ApiError(400, N_("A field is missing or not valid: %(field)s."), "invalid", field=name) from None
    if source is None:
        raise ApiError(409, NO_POOL, "unavailable")
    rule = ThrottleRule(f"phone:search:{client_address(request)}", dt.timedelta(hours=1), settings.searches_per_hour)
    held = await reserve_attempt(rule)
    if not held.ok:
        raise ApiError(429, TOO_MANY, "too_many", time=until(request, held.retry_at))
    try:
        offers, _ = await pool.search(source, settings, filters)
    except (ConnectionError, OSError, ValueError):
        raise ApiError(409, NO_POOL, "unavailable") from None
    return listing([_number(request, o) for o in offers], len(offers), None)


@post("/phoneNumberHold", opt={"scope": "customer.write"}, name="phone:api.hold", responses=errors(409))
async def hold_number(request: Request, data: HoldCreate) -> Response[PhoneNumberHold]:
    """Hold a free number for the customer's installation (201); ``409`` when someone else was quicker or over the
    identity's limit. A new hold replaces the customer's previous one."""
    hall, tenant = request.app.state.hall, info(request).tenant
    settings, source = tenant.plugin_settings("phone"), pool.pool_of(hall, tenant)
    account_id = api_caller(request).customer
    customer = await install.customer_of(account_id) if account_id is not None else None
    number = data.number[:32]
    offer = await pool.offer_of(source, settings, number) if source and number.isascii() and number.isdigit() else None
    try:
        if offer is None or customer is None:
            taken = FieldErrors()
            taken.add("number", holds.JUST_TAKEN)
            raise taken
        row = await holds.take(
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
        message, params = problems.errors["number"]
        raise ApiError(409, message, "taken", **params) from None
    return one(hold_view(request, row), status=201)


async def install_line(order: OrderRequest) -> dict:
    """An ``add`` of a line plan: the installation of the number the customer holds (the ``number`` characteristic,
    when given, must be it), with the page's address and slot fields."""
    customer = await install.customer_of(order.account_id)
    if customer is None:
        raise ApiError(404, N_("No such resource."), "not_found")
    hold = await holds.current(customer.account_id)
    wanted = order.form.value("number")
    if hold is not None and wanted and wanted != hold["number"]:
        problems = FieldErrors()
        problems.add("number", install.NO_HOLD)
        raise problems
    form = Form({**order.form.data, "plan": order.offering.code, "token": order.token})
    title = order.gettext()("New line %(number)s") % {"number": hold["number"] if hold else ""}
    settings = order.tenant.plugin_settings("phone")
    return await install.apply(order.hall, order.tenant, settings, customer, form, title, order.language)


HANDLERS = [search_numbers, hold_number]
KINDS = [ProductOrderKind("add", "line", install_line)]
