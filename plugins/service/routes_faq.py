"""Public questions and answers: staff publish a de-identified consultation; anyone searches the list."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery

from core.api import N_
from core.api.web import AuditorDep, Form, info, redirect_to, render
from core.api.workorders import Actor, WorkOrderComment, WorkOrderError, get_order
from plugins.service import services
from plugins.service.content import deidentify
from plugins.service.tables import Faq
from plugins.service.workorder_types import CONSULTATION_CODE

PUBLIC = {"auth": "public"}
FAQ = {"auth": "operator", "permission": "service.faq"}
MAX_FAQ = 4000


def _like(q: str) -> str:
    return "%" + q.replace("\\", "").replace("%", "").replace("_", "") + "%"


@get("/faq", opt=PUBLIC, name="service:faq")
async def faq_list(request: Request, q: FromQuery[str] = "") -> Response:
    query = Faq.select().where(Faq.published == True).order_by(Faq.id, ascending=False).limit(100)  # noqa: E712
    q = q.strip()[:100]
    if q:
        query = query.where(Faq.question.ilike(_like(q)) | Faq.answer.ilike(_like(q)))
    return await render(request, "service/faq.html", {"faqs": await query, "q": q})


@get("/console/faq", opt=FAQ, name="service:console.faq")
async def faq_manage(request: Request) -> Response:
    rows = await Faq.select().order_by(Faq.id, ascending=False).limit(200)
    return await render(request, "service/faq_manage.html", {"faqs": rows}, audience="operator")


async def _consultation(request: Request, order_id: int) -> dict:
    try:
        order = await get_order(order_id, Actor.from_principal(info(request).principal))
    except WorkOrderError:
        raise NotFoundException() from None
    if order["type"] != CONSULTATION_CODE:
        raise NotFoundException()
    return order


@get("/console/faq/new/{order_id:int}", opt=FAQ, name="service:console.faq.new")
async def faq_new(request: Request, order_id: FromPath[int]) -> Response:
    """The publish form, filled with the de-identified question and the staff's public answer, for the operator to check."""
    order = await _consultation(request, order_id)
    answers = (
        await WorkOrderComment.select(WorkOrderComment.body)
        .where(
            (WorkOrderComment.workorder == order_id)
            & (WorkOrderComment.public == True)  # noqa: E712
            & (WorkOrderComment.author_kind == "operator")
        )
        .order_by(WorkOrderComment.id)
    )
    form = Form(
        {
            "question": deidentify(order["data"].get("text", "")),
            "answer": deidentify("\n\n".join(a["body"] for a in answers)),
        }
    )
    return await render(request, "service/faq_new.html", {"order": order, "form": form}, audience="operator")


@post("/console/faq/new/{order_id:int}", opt=FAQ, name="service:console.faq.create")
async def faq_publish(request: Request, order_id: FromPath[int], auditor: AuditorDep) -> Response:
    order = await _consultation(request, order_id)
    form = Form({k: v for k, v in (await request.form()).items() if isinstance(v, str)})
    form.require("question", "answer")
    for name in ("question", "answer"):
        if len(form.data.get(name, "")) > MAX_FAQ:
            form.error(name, N_("At most %(n)s characters."), n=MAX_FAQ)
    if not form.valid:
        return await render(
            request, "service/faq_new.html", {"order": order, "form": form}, status=400, audience="operator"
        )
    await services.publish_faq(
        auditor, order, question=form.data["question"].strip(), answer=form.data["answer"].strip()
    )
    return redirect_to(request, "service:console.faq")


@post("/console/faq/{faq_id:int}/delete", opt=FAQ, name="service:console.faq.delete")
async def faq_delete(request: Request, faq_id: FromPath[int], auditor: AuditorDep) -> Response:
    row = await Faq.select().where(Faq.id == faq_id).first()
    if row is None:
        raise NotFoundException()
    await services.delete_faq(auditor, row)
    return redirect_to(request, "service:console.faq")


HANDLERS = [faq_list, faq_manage, faq_new, faq_publish, faq_delete]
