"""Console: departments for work orders (permission ``core.workorders.departments``): code, name, head, e-mail, members."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from core.auth.tables import Operator
from core.web.audit_helpers import Auditor
from core.web.dependencies import AuditorDep
from core.web.forms import FieldErrors, Form
from core.web.numbers import parse_int, parse_ints
from core.web.render import redirect_to, render
from core.workorders.access import DEPARTMENTS
from core.workorders.departments import (
    UNKNOWN_OPERATOR,
    DepartmentChange,
    department_snapshot,
    departments,
    save_department_form,
)

MANAGE = {"auth": "operator", "permission": DEPARTMENTS}


async def _snapshot(department_id: int) -> dict:
    snap = await department_snapshot(department_id)
    if snap is None:
        raise NotFoundException()
    return snap


@get("/console/departments", opt=MANAGE, name="console:departments")
async def departments_list(request: Request) -> Response:
    ops = {r["id"]: r["display_name"] for r in await Operator.select(Operator.id, Operator.display_name)}
    return await render(
        request, "workorders/departments.html", {"departments": await departments(), "ops": ops}, audience="operator"
    )


async def _form(
    request: Request, form: Form, department_id: int | None, members: set[int], status: int = 200
) -> Response:
    ops = await Operator.select(Operator.id, Operator.display_name, Operator.active).order_by(Operator.display_name)
    members = members & {op["id"] for op in ops}  # a posted id that is no operator is not shown as chosen
    return await render(
        request,
        "workorders/department_form.html",
        {"form": form, "department_id": department_id, "operators": ops, "members": members},
        status=status,
        audience="operator",
    )


@get("/console/departments/new", opt=MANAGE, name="console:department.new")
async def department_new(request: Request) -> Response:
    return await _form(request, Form({"active": "on"}), None, set())


@get("/console/departments/{department_id:int}", opt=MANAGE, name="console:department")
async def department_edit(request: Request, department_id: FromPath[int]) -> Response:
    snap = await _snapshot(department_id)
    form = Form(
        {
            "code": snap["code"],
            "name": snap["name"],
            "head": snap["head"] or "",
            "email": snap["email"],
            "active": "on" if snap["active"] else "",
        }
    )
    return await _form(request, form, department_id, set(snap["members"]))


async def _save(request: Request, auditor: Auditor, department_id: int | None) -> Response:
    raw = await request.form()
    form = Form({k: raw.get(k) for k in raw.keys()})
    chosen = parse_ints(raw.getall("members", []))
    head = form.value("head")
    head_id = parse_int(head) if head else None
    unparsed = FieldErrors()
    if head and head_id is None:
        unparsed.add("head", UNKNOWN_OPERATOR)
    if chosen is None:
        unparsed.add("members", UNKNOWN_OPERATOR)
    change = DepartmentChange(
        code=form.value("code"),
        name=form.value("name"),
        head=head_id,
        email=form.value("email"),
        active=bool(form.value("active")),
        members=chosen or set(),
    )
    try:
        await save_department_form(auditor, department_id, change, unparsed)
    except FieldErrors as problems:
        form.take(problems)
        return await _form(request, form, department_id, chosen or set(), status=400)
    return redirect_to(request, "console:departments")


@post("/console/departments/new", opt=MANAGE, name="console:department.create")
async def department_create(request: Request, auditor: AuditorDep) -> Response:
    return await _save(request, auditor, None)


@post("/console/departments/{department_id:int}", opt=MANAGE, name="console:department.save")
async def department_update(request: Request, department_id: FromPath[int], auditor: AuditorDep) -> Response:
    await _snapshot(department_id)  # 404 for another tenant's department
    return await _save(request, auditor, department_id)


HANDLERS = [departments_list, department_new, department_edit, department_create, department_update]
