"""Submitting consultations and complaints (the plugin's forms; the core does the rest), and serving attachments."""

from __future__ import annotations

import re

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from core.api import N_
from core.api.web import Form, client_address, info, redirect_to, render
from core.api.workorders import Actor, WorkOrderError, get_order, open_order
from plugins.service import attachments, limits, services
from plugins.service.settings import CATEGORIES
from plugins.service.workorder_types import CONSULTATION_CODE, MAX_TITLE

PUBLIC = {"auth": "public"}
CUSTOMER = {"auth": "customer"}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[\d -]{5,20}$")


def _settings(request: Request):
    return info(request).tenant.plugin_settings("service")


async def _form_and_files(request: Request) -> tuple[Form, dict[str, UploadFile]]:
    """Text fields as a Form (not cut: the length check below must see everything), uploads apart."""
    raw = await request.form()
    files = {k: v for k, v in raw.items() if isinstance(v, UploadFile)}
    return Form({k: v for k, v in raw.items() if isinstance(v, str)}), files


def _check_text(form: Form, request: Request) -> None:
    """Required title and text, length limits; markup is allowed in (it is stored as text and always shown escaped)."""
    form.require("title", "text")
    max_text = _settings(request).max_text
    if len(form.data.get("title", "").strip()) > MAX_TITLE:
        form.error("title", N_("At most %(n)s characters."), n=MAX_TITLE)
    if len(form.data.get("text", "").strip()) > max_text:
        form.error("text", N_("At most %(n)s characters."), n=max_text)


async def _flooding(request: Request) -> tuple[bool, list[str]]:
    settings, who = _settings(request), info(request).customer
    keys = {f"addr:{client_address(request)}": settings.per_address_per_hour}
    if who is not None:
        keys[f"customer:{who.id}"] = settings.per_customer_per_hour
    return await limits.over_limit(keys), list(keys)


def _apply(form: Form, exc: WorkOrderError) -> None:
    for name, message in (getattr(exc, "errors", None) or {"text": exc.message}).items():
        form.error(name, message)


# --- consultations -----------------------------------------------------------------------------


async def _ask_page(request: Request, form: Form, status: int = 200, notice: str = "") -> Response:
    return await render(request, "service/ask.html", {"form": form, "notice": notice}, status=status)


@get("/ask", opt=PUBLIC, name="service:ask")
async def ask_form(request: Request) -> Response:
    return await _ask_page(request, Form())


@post("/ask", opt=PUBLIC, name="service:ask.submit")
async def ask(request: Request) -> Response:
    form, _ = await _form_and_files(request)
    _check_text(form, request)
    customer = info(request).customer
    contact = {}
    if customer is None:
        contact = {
            "name": form.value("contact_name"),
            "phone": form.value("contact_phone"),
            "email": form.value("contact_email"),
        }
        form.require("contact_name")
        if contact["email"] and not EMAIL.match(contact["email"]):
            form.error("contact_email", N_("Enter a valid e-mail address."))
        if contact["phone"] and not PHONE.match(contact["phone"]):
            form.error("contact_phone", N_("Enter a valid phone number."))
        if not contact["phone"] and not contact["email"]:
            form.error("contact_phone", N_("Give a phone number or an e-mail address so we can answer you."))
    if not form.valid:
        return await _ask_page(request, form, 400)
    flooding, keys = await _flooding(request)
    if flooding:
        return await _ask_page(
            request, form, 429, N_("Too many submissions in a short time. Please try again in an hour.")
        )
    actor = Actor.from_principal(customer) if customer else Actor.system("visitor")
    try:
        order = await open_order(
            request.app.state.hall,
            CONSULTATION_CODE,
            {"text": form.data.get("text", "").strip()},
            title=form.value("title"),
            actor=actor,
            contact=contact,
            language=info(request).language,
        )
    except WorkOrderError as exc:
        _apply(form, exc)
        return await _ask_page(request, form, exc.status)
    await limits.record(*keys)
    if customer:
        return redirect_to(request, "account:request", order_id=order["id"])
    return await render(request, "service/thanks.html", {"order": order}, status=201)


# --- complaints --------------------------------------------------------------------------------


async def _complain_page(request: Request, form: Form, status: int = 200, notice: str = "") -> Response:
    return await render(
        request,
        "service/complain.html",
        {"form": form, "categories": CATEGORIES, "notice": notice, "max_kb": _settings(request).attachment_max_kb},
        status=status,
    )


@get("/complain", opt=CUSTOMER, name="service:complain")
async def complain_form(request: Request) -> Response:
    return await _complain_page(request, Form())


async def _read_upload(upload: UploadFile | None, form: Form, max_kb: int) -> tuple[str, str, bytes] | None:
    if upload is None or not upload.filename:
        return None
    content = await upload.read(max_kb * 1024 + 1)
    try:
        content_type, name = attachments.check(upload.filename, content, max_kb)
    except attachments.AttachmentError as exc:
        form.error("attachment", exc.message, **exc.params)
        return None
    return name, content_type, content


@post("/complain", opt=CUSTOMER, name="service:complain.submit")
async def complain(request: Request) -> Response:
    settings = _settings(request)
    form, files = await _form_and_files(request)
    _check_text(form, request)
    if form.value("category") not in CATEGORIES:
        form.error("category", N_("Choose a category."))
    upload = await _read_upload(files.get("attachment"), form, settings.attachment_max_kb)
    if not form.valid:
        return await _complain_page(request, form, 400)
    flooding, keys = await _flooding(request)
    if flooding:
        return await _complain_page(
            request, form, 429, N_("Too many submissions in a short time. Please try again in an hour.")
        )
    data = {"category": form.value("category"), "text": form.data.get("text", "").strip()}
    try:
        order = await services.open_complaint(
            request.app.state.hall,
            Actor.from_principal(info(request).customer),
            data,
            title=form.value("title"),
            language=info(request).language,
            upload=upload,
        )
    except WorkOrderError as exc:
        _apply(form, exc)
        return await _complain_page(request, form, exc.status)
    await limits.record(*keys)
    return redirect_to(request, "account:request", order_id=order["id"])


# --- attachments: only to those who may see the order ------------------------------------------


async def _serve(request: Request, attachment_id: int) -> Response:
    row = await attachments.load(attachment_id)
    if row is None or row["workorder"] is None:
        raise NotFoundException()
    try:
        await get_order(row["workorder"], Actor.from_principal(info(request).principal))
    except WorkOrderError:
        raise NotFoundException() from None
    return Response(
        row["content"],
        media_type=row["content_type"],
        headers={
            "Content-Disposition": f'attachment; filename="{row["filename"]}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


@get("/attachments/{attachment_id:int}", opt=CUSTOMER, name="service:attachment")
async def customer_attachment(request: Request, attachment_id: FromPath[int]) -> Response:
    return await _serve(request, attachment_id)


@get(
    "/console/attachments/{attachment_id:int}",
    opt={"auth": "operator", "permission": "core.workorders.handle"},
    name="service:console.attachment",
)
async def operator_attachment(request: Request, attachment_id: FromPath[int]) -> Response:
    return await _serve(request, attachment_id)


HANDLERS = [ask_form, ask, complain_form, complain, customer_attachment, operator_attachment]
