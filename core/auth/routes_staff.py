"""Console: operators and roles (permission ``core.operators.manage``); the checks, writes and audit are in ``staff_service``."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.exceptions import NotFoundException

from core.auth.permissions import all_permissions
from core.auth.staff_service import OperatorChange, operator_snapshot, operators, save_operator, save_role
from core.auth.tables import Role
from core.web.audit_helpers import Auditor
from core.web.dependencies import AuditorDep, HallDep
from core.web.forms import FieldErrors, Form
from core.web.render import redirect_to, render

MANAGE = {"auth": "operator", "permission": "core.operators.manage"}


async def _operator_or_404(operator_id: int) -> dict:
    snap = await operator_snapshot(operator_id)
    if snap is None:
        raise NotFoundException()
    return snap


@get("/console/operators", opt=MANAGE, name="console:operators")
async def operators_list(request: Request) -> Response:
    return await render(request, "console/operators.html", {"operators": await operators()}, audience="operator")


async def _operator_form(request: Request, form: Form, operator_id: int | None, status: int = 200) -> Response:
    roles = await Role.select(Role.id, Role.name).order_by(Role.name)
    return await render(
        request,
        "console/operator_form.html",
        {"form": form, "operator_id": operator_id, "roles": roles, "selected": set(form.data.get("roles_list", []))},
        status=status,
        audience="operator",
    )


@get("/console/operators/new", opt=MANAGE, name="console:operator.new")
async def operator_new(request: Request) -> Response:
    return await _operator_form(request, Form({"active": "on"}), None)


@get("/console/operators/{operator_id:int}", opt=MANAGE, name="console:operator")
async def operator_edit(request: Request, operator_id: FromPath[int]) -> Response:
    snap = await _operator_or_404(operator_id)
    form = Form(
        {
            "username": snap["username"],
            "display_name": snap["display_name"],
            "department": snap["department"],
            "active": "on" if snap["active"] else "",
        }
    )
    form.data["roles_list"] = snap["roles"]  # type: ignore[assignment]
    return await _operator_form(request, form, operator_id)


async def _save_operator(request: Request, auditor: Auditor, operator_id: int | None) -> Response:
    raw = await request.form()
    form = Form({k: raw.get(k) for k in raw.keys()})
    chosen = list(raw.getall("roles", []))
    form.data["roles_list"] = chosen  # type: ignore[assignment]
    change = OperatorChange(
        username=form.value("username"),
        display_name=form.value("display_name"),
        department=form.value("department"),
        active=bool(form.value("active")),
        password=form.raw("password"),
        roles=chosen,
    )
    try:
        await save_operator(auditor, operator_id, change)
    except FieldErrors as problems:
        form.take(problems)
        return await _operator_form(request, form, operator_id, status=400)
    return redirect_to(request, "console:operators")


@post("/console/operators/new", opt=MANAGE, name="console:operator.create")
async def operator_create(request: Request, auditor: AuditorDep) -> Response:
    return await _save_operator(request, auditor, None)


@post("/console/operators/{operator_id:int}", opt=MANAGE, name="console:operator.save")
async def operator_update(request: Request, operator_id: FromPath[int], auditor: AuditorDep) -> Response:
    await _operator_or_404(operator_id)  # another tenant's operator
    return await _save_operator(request, auditor, operator_id)


@get("/console/roles", opt=MANAGE, name="console:roles")
async def roles_list(request: Request) -> Response:
    roles = await Role.select().order_by(Role.name)
    return await render(request, "console/roles.html", {"roles": roles}, audience="operator")


async def _role_form(
    request: Request, hall, form: Form, role_id: int | None, chosen: set[str], status: int = 200
) -> Response:
    return await render(
        request,
        "console/role_form.html",
        {"form": form, "role_id": role_id, "chosen": chosen, "permissions": all_permissions(hall)},
        status=status,
        audience="operator",
    )


@get("/console/roles/new", opt=MANAGE, name="console:role.new")
async def role_new(request: Request, hall: HallDep) -> Response:
    return await _role_form(request, hall, Form(), None, set())


@get("/console/roles/{role_id:int}", opt=MANAGE, name="console:role")
async def role_edit(request: Request, role_id: FromPath[int], hall: HallDep) -> Response:
    role = await Role.select().where(Role.id == role_id).first()
    if role is None:
        raise NotFoundException()
    return await _role_form(request, hall, Form({"name": role["name"]}), role_id, set(role["permissions"]))


async def _save_role(request: Request, hall, auditor: Auditor, role_id: int | None) -> Response:
    raw = await request.form()
    form = Form({k: raw.get(k) for k in raw.keys()})
    chosen = set(raw.getall("permissions", []))
    try:
        await save_role(hall, auditor, role_id, form.value("name"), chosen)
    except FieldErrors as problems:
        form.take(problems)
        return await _role_form(request, hall, form, role_id, chosen, status=400)
    return redirect_to(request, "console:roles")


@post("/console/roles/new", opt=MANAGE, name="console:role.create")
async def role_create(request: Request, hall: HallDep, auditor: AuditorDep) -> Response:
    return await _save_role(request, hall, auditor, None)


@post("/console/roles/{role_id:int}", opt=MANAGE, name="console:role.save")
async def role_update(request: Request, role_id: FromPath[int], hall: HallDep, auditor: AuditorDep) -> Response:
    if not await Role.exists().where(Role.id == role_id):
        raise NotFoundException()
    return await _save_role(request, hall, auditor, role_id)


HANDLERS = [
    operators_list,
    operator_new,
    operator_edit,
    operator_create,
    operator_update,
    roles_list,
    role_new,
    role_edit,
    role_create,
    role_update,
]
