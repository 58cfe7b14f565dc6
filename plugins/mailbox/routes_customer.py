"""The customer's pages: my mailboxes, apply, and per mailbox its state, password, forwarding, renewal and stop."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from core.api import N_
from core.api.identity import linked_numbers
from core.api.payments import PaymentError, checkout_response
from core.api.products import ProductError
from core.api.web import FieldErrors, Form, HallDep, TenantDep, gettext, info, redirect_to, render

from . import renewal, services


def _settings(tenant):
    return tenant.plugin_settings("mailbox")


@get("/", name="mailbox:index")
async def index(request: Request, tenant: TenantDep) -> Response:
    ri = info(request)
    customer = await services.customer_of(ri.customer.id)
    boxes = await services.mailboxes_of(customer)
    return await render(request, "mailbox/index.html", {"boxes": boxes, "settings": _settings(tenant)})


async def _apply_page(request, hall, tenant, form: Form, *, notice: str = "", status: int = 200) -> Response:
    ri = info(request)
    return await render(
        request,
        "mailbox/apply.html",
        {
            "form": form,
            "settings": _settings(tenant),
            "offerings": await services.offerings(hall, tenant),
            "numbers": await linked_numbers(ri.customer.id),
            "token": form.value("token") or services.new_token(),
            "notice": notice,
        },
        status=status,
    )


@get("/apply", name="mailbox:apply")
async def apply_form(request: Request, hall: HallDep, tenant: TenantDep) -> Response:
    if not _settings(tenant).domain:
        raise NotFoundException()
    return await _apply_page(request, hall, tenant, Form())


@post("/apply", name="mailbox:apply.submit")
async def apply_submit(request: Request, hall: HallDep, tenant: TenantDep) -> Response:
    settings = _settings(tenant)
    if not settings.domain:
        raise NotFoundException()
    ri = info(request)
    form = await Form.from_request(request)
    form.require("local_part", "offering", "number")
    if not form.valid:
        return await _apply_page(request, hall, tenant, form, status=400)
    values = {name: form.value(name) for name in ("local_part", "offering", "number")}
    values.update(password=form.raw("password"), password2=form.raw("password2"))
    _ = gettext(request)
    try:
        order = await services.apply(
            hall,
            tenant,
            settings,
            account_id=ri.customer.id,
            values=values,
            token=form.value("token") or services.new_token(),
            title=_("Mailbox %(address)s"),
            language=ri.language,
        )
    except FieldErrors as problems:
        form.take(problems)
        return await _apply_page(request, hall, tenant, form, status=400)
    except ProductError as exc:
        return await _apply_page(request, hall, tenant, form, notice=exc.message, status=exc.status)
    return redirect_to(request, "account:product_order", order_id=order["id"])


async def _box(request: Request, box_id: int) -> dict:
    customer = await services.customer_of(info(request).customer.id)
    box = await services.mailbox_of(customer, box_id)
    if box is None:
        raise NotFoundException()
    return box


async def _detail(request, tenant, box, *, form: Form | None = None, notice: str = "", status: int = 200):
    return await render(
        request,
        "mailbox/detail.html",
        {
            "box": box,
            "settings": _settings(tenant),
            "form": form or Form({"forward_to": box["forward_to"]}),
            "fee_fen": services.fee_of(_settings(tenant), box["offering_code"]),
            "token": services.new_token(),
            "notice": notice,
            "notice_is_error": status >= 400,
        },
        status=status,
    )


DONE = {
    "password": N_("The new password works from now on."),
    "password_later": N_("The new password is saved; the mail server takes it within minutes."),
    "forwarding": N_("Forwarding is saved."),
    "stopping": N_("The mailbox is being stopped."),
}


@get("/{box_id:int}", name="mailbox:detail")
async def detail(request: Request, box_id: FromPath[int], tenant: TenantDep) -> Response:
    box = await _box(request, box_id)
    done = request.query_params.get("done", "")
    return await _detail(request, tenant, box, notice=DONE.get(done, ""))


@post("/{box_id:int}/password", name="mailbox:password.save")
async def password_save(request: Request, box_id: FromPath[int], tenant: TenantDep) -> Response:
    box = await _box(request, box_id)
    form = await Form.from_request(request)
    try:
        now_live = await services.change_password(_settings(tenant), box, form.raw("password"), form.raw("password2"))
    except FieldErrors as problems:
        form.take(problems)
        return await _detail(request, tenant, box, form=form, status=400)
    return redirect_to(
        request, "mailbox:detail", box_id=box_id, query={"done": "password" if now_live else "password_later"}
    )


@post("/{box_id:int}/forwarding", name="mailbox:forwarding.save")
async def forwarding_save(request: Request, box_id: FromPath[int], tenant: TenantDep) -> Response:
    box = await _box(request, box_id)
    form = await Form.from_request(request)
    try:
        await services.set_forwarding(_settings(tenant), box, form.value("forward_to"))
    except FieldErrors as problems:
        form.take(problems)
        return await _detail(request, tenant, box, form=form, status=400)
    return redirect_to(request, "mailbox:detail", box_id=box_id, query={"done": "forwarding"})


@post("/{box_id:int}/renew", name="mailbox:renew")
async def renew(request: Request, box_id: FromPath[int], hall: HallDep, tenant: TenantDep) -> Response:
    box = await _box(request, box_id)
    form = await Form.from_request(request)
    _ = gettext(request)
    try:
        intent = await renewal.start(
            hall,
            tenant,
            _settings(tenant),
            box,
            months_value=form.value("months"),
            token=form.value("token") or services.new_token(),
            subject=_("Mailbox %(address)s: %(months)s months")
            % {"address": box["address"], "months": form.value("months")},
        )
    except FieldErrors as problems:
        if box["state"] not in ("active", "suspended"):  # no renewal form on the page: say it as a notice
            return await _detail(request, tenant, box, notice=problems.errors["months"][0], status=400)
        form.take(problems)
        return await _detail(request, tenant, box, form=form, status=400)
    except PaymentError:
        return await _detail(
            request, tenant, box, notice=N_("Online payment is not available at the moment."), status=409
        )
    return await checkout_response(request, intent)


@post("/{box_id:int}/stop", name="mailbox:stop")
async def stop(request: Request, box_id: FromPath[int], hall: HallDep, tenant: TenantDep) -> Response:
    ri = info(request)
    box = await _box(request, box_id)
    _ = gettext(request)
    try:
        await services.stop(
            hall, tenant, box, account_id=ri.customer.id, title=_("Stop mailbox %(address)s"), language=ri.language
        )
    except ProductError as exc:
        return await _detail(request, tenant, box, notice=exc.message, status=exc.status)
    return redirect_to(request, "mailbox:detail", box_id=box_id, query={"done": "stopping"})


HANDLERS = [index, apply_form, apply_submit, detail, password_save, forwarding_save, renew, stop]
