"""Console: departments for work orders (permission ``core.workorders.departments``): code, name, head, e-mail, members."""

from __future__ import annotations

import re

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from core.auth.tables import Operator
from core.db import transaction
from core.i18n import N_
from core.web.audit_helpers import audit
from core.web.forms import Form
from core.web.numbers import parse_int, parse_ints
from core.web.render import redirect_to, render
from core.workorders.access import DEPARTMENTS
from core.workorders.departments import departments, save_department, set_members
from core.workorders.tables import Department

MANAGE = {"auth": "operator", "permission": DEPARTMENTS}
CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


async def _snapshot(department_id: int) -> dict:
    found = [d for d in await departments() if d["id"] == department_id]
    if not found:
        raise NotFoundException()
    return {k: found[0][k] for k in ("code", "name", "head", "email", "active", "members")}


@get("/console/departments", opt=MANAGE, name="console:departments")
async def departments_list(request: Request) -> Response:
    ops = {r["id"]: r["display_name"] for r in await Operator.select(Operator.id, Operator.display_name)}
    return await render(request, "workorders/departments.html", {"departments": await departments(), "ops": ops}, audience="operator")


async def _form(request: Request, form: Form, department_id: int | None, members: set[int], status: int = 200) -> Response:
    ops = await Operator.select(Operator.id, Operator.display_name, Operator.active).order_by(Operator.display_name)
    return await render(request, "workorders/department_form.html", {"form": form, "department_id": department_id,
                                                                     "operators": ops, "members": members}, status=status, audience="operator")


@get("/console/departments/new", opt=MANAGE, name="console:department.new")
async def department_new(request: Request) -> Response:
    return await _form(request, Form({"active": "on"}), None, set())


@get("/console/departments/{department_id:int}", opt=MANAGE, name="console:department")
async def department_edit(request: Request, department_id: FromPath[int]) -> Response:
    snap = await _snapshot(department_id)
    form = Form({"code": snap["code"], "name": snap["name"], "head": snap["head"] or "", "email": snap["email"],
                 "active": "on" if snap["active"] else ""})
    return await _form(request, form, department_id, set(snap["members"]))


async def _save(request: Request, department_id: int | None) -> Response:
    raw = await request.form()
    form = Form({k: raw.get(k) for k in raw.keys()})
    operator_ids = {r["id"] for r in await Operator.select(Operator.id)}
    chosen = parse_ints(raw.getall("members", []))
    form.require("code", "name")
    if form.value("code") and not CODE.match(form.value("code")):
        form.error("code", N_("Letters, digits, - and _ only (at most 32)."))
    clash = await Department.select(Department.id).where(Department.code == form.value("code")).first()
    if clash and clash["id"] != department_id:
        form.error("code", N_("A department with this code exists."))
    head = form.value("head")
    head_id = parse_int(head) if head else None
    if head and head_id not in operator_ids:
        form.error("head", N_("Unknown operator."))
    email = form.value("email")
    if email and ("@" not in email or len(email) > 254):
        form.error("email", N_("Enter a valid e-mail address."))
    if chosen is None or chosen - operator_ids:
        form.error("members", N_("Unknown operator."))
    if not form.valid:
        return await _form(request, form, department_id, (chosen or set()) & operator_ids, status=400)
    before = await _snapshot(department_id) if department_id else {}
    async with transaction():
        department_id = await save_department(form.value("code"), form.value("name")[:100], head=head_id,
                                              email=email, active=bool(form.value("active")), department_id=department_id)
        await set_members(department_id, sorted(chosen))
        after = await _snapshot(department_id)
        await audit(request, "department.update" if before else "department.create", object_type="department",
                    object_id=department_id, before=before, after=after)
    return redirect_to(request, "console:departments")


@post("/console/departments/new", opt=MANAGE, name="console:department.create")
async def department_create(request: Request) -> Response:
    return await _save(request, None)


@post("/console/departments/{department_id:int}", opt=MANAGE, name="console:department.save")
async def department_update(request: Request, department_id: FromPath[int]) -> Response:
    await _snapshot(department_id)  # 404 for another tenant's department
    return await _save(request, department_id)


HANDLERS = [departments_list, department_new, department_edit, department_create, department_update]
