"""Notice pages: the public list and detail, and the operators' editor (permission notices.manage)."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.exceptions import NotFoundException

from core.api import N_
from core.api.web import AuditorDep, Form, redirect_to, render
from plugins.notices import services
from plugins.notices.tables import Notice

PUBLIC = {"auth": "public"}
MANAGE = {"auth": "operator", "permission": "notices.manage"}


@get("/", opt=PUBLIC, name="notices:list")
async def notice_list(request: Request) -> Response:
    rows = (
        await Notice.select(Notice.id, Notice.title, Notice.created_at)
        .where(Notice.published.eq(True))
        .order_by(Notice.id, ascending=False)
        .limit(100)
    )  # noqa: E712
    return await render(request, "notices/list.html", {"notices": rows})


@get("/{notice_id:int}", opt=PUBLIC, name="notices:notice")
async def notice_detail(request: Request, notice_id: FromPath[int]) -> Response:
    notice = await services.get(notice_id)
    if notice is None:
        raise NotFoundException()
    return await render(request, "notices/detail.html", {"notice": notice})


@get("/manage", opt=MANAGE, name="notices:manage")
async def manage(request: Request) -> Response:
    rows = await Notice.select().order_by(Notice.id, ascending=False).limit(200)
    return await render(
        request, "notices/manage.html", {"notices": rows, "form": Form({"published": "on"})}, audience="operator"
    )


def _validate(form: Form) -> None:
    form.require("title", "body")
    if len(form.value("title")) > 120:
        form.error("title", N_("At most %(n)s characters."), n=120)
    if len(form.value("body")) > 5000:
        form.error("body", N_("At most %(n)s characters."), n=5000)


@post("/manage", opt=MANAGE, name="notices:create")
async def create(request: Request, auditor: AuditorDep) -> Response:
    form = await Form.from_request(request)
    _validate(form)
    if not form.valid:
        rows = await Notice.select().order_by(Notice.id, ascending=False).limit(200)
        return await render(
            request, "notices/manage.html", {"notices": rows, "form": form}, status=400, audience="operator"
        )
    await services.create(
        auditor, title=form.value("title"), body=form.value("body"), published=bool(form.value("published"))
    )
    return redirect_to(request, "notices:manage")


async def _notice_or_404(notice_id: int) -> dict:
    notice = await services.get(notice_id, published_only=False)
    if notice is None:
        raise NotFoundException()
    return notice


@post("/manage/{notice_id:int}/toggle", opt=MANAGE, name="notices:toggle")
async def toggle(request: Request, notice_id: FromPath[int], auditor: AuditorDep) -> Response:
    await services.toggle(auditor, await _notice_or_404(notice_id))
    return redirect_to(request, "notices:manage")


@post("/manage/{notice_id:int}/delete", opt=MANAGE, name="notices:delete")
async def delete(request: Request, notice_id: FromPath[int], auditor: AuditorDep) -> Response:
    await services.delete(auditor, await _notice_or_404(notice_id))
    return redirect_to(request, "notices:manage")


HANDLERS = [notice_list, notice_detail, manage, create, toggle, delete]
