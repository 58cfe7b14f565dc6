"""Console: operators and roles (permission ``core.operators.manage``); every change is audited."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.exceptions import NotFoundException

from core.auth.passwords import hash_password, password_problem
from core.auth.permissions import all_permissions, known_codes
from core.auth.sessions import end_sessions_of
from core.auth.tables import Operator, OperatorRole, Role
from core.db import transaction
from core.i18n import N_
from core.web.audit_helpers import audit
from core.web.forms import Form
from core.web.render import redirect_to, render

MANAGE = {"auth": "operator", "permission": "core.operators.manage"}


async def _role_names(operator_id: FromPath[int]) -> list[str]:
    rows = await OperatorRole.select(OperatorRole.role.name).where(OperatorRole.operator == operator_id)
    return sorted(r["role.name"] for r in rows)


async def _operator_snapshot(operator_id: FromPath[int]) -> dict:
    op = await Operator.select(Operator.username, Operator.display_name, Operator.department, Operator.active).where(Operator.id == operator_id).first()
    if op is None:
        raise NotFoundException()
    return {**op, "roles": await _role_names(operator_id)}


@get("/console/operators", opt=MANAGE, name="console:operators")
async def operators_list(request: Request) -> Response:
    ops = await Operator.select(Operator.id, Operator.username, Operator.display_name, Operator.department, Operator.active, Operator.last_login_at).order_by(Operator.username)
    for op in ops:
        op["roles"] = await _role_names(op["id"])
    return await render(request, "console/operators.html", {"operators": ops}, audience="operator")


async def _operator_form(request: Request, form: Form, operator_id: int | None, status: int = 200) -> Response:
    roles = await Role.select(Role.id, Role.name).order_by(Role.name)
    return await render(request, "console/operator_form.html", {"form": form, "operator_id": operator_id, "roles": roles,
                                                                 "selected": set(form.data.get("roles_list", []))}, status=status, audience="operator")


@get("/console/operators/new", opt=MANAGE, name="console:operator.new")
async def operator_new(request: Request) -> Response:
    return await _operator_form(request, Form({"active": "on"}), None)


@get("/console/operators/{operator_id:int}", opt=MANAGE, name="console:operator")
async def operator_edit(request: Request, operator_id: FromPath[int]) -> Response:
    snap = await _operator_snapshot(operator_id)
    form = Form({"username": snap["username"], "display_name": snap["display_name"], "department": snap["department"], "active": "on" if snap["active"] else ""})
    form.data["roles_list"] = snap["roles"]  # type: ignore[assignment]
    return await _operator_form(request, form, operator_id)


async def _save_operator(request: Request, operator_id: int | None) -> Response:
    raw = await request.form()
    form = Form({k: raw.get(k) for k in raw.keys()})
    chosen = list(raw.getall("roles", []))
    form.data["roles_list"] = chosen  # type: ignore[assignment]
    form.require("username", "display_name")
    if operator_id is None or form.raw("password"):
        problem = password_problem(form.raw("password")) if form.raw("password") else N_("This field is required.")
        if problem:
            form.error("password", problem)
    clash = await Operator.select(Operator.id).where(Operator.username == form.value("username")).first()
    if clash and clash["id"] != operator_id:
        form.error("username", N_("This user name is taken."))
    roles = {r["name"]: r["id"] for r in await Role.select(Role.id, Role.name)}
    if any(c not in roles for c in chosen):
        form.error("roles", N_("Unknown role."))
    if not form.valid:
        return await _operator_form(request, form, operator_id, status=400)
    before = await _operator_snapshot(operator_id) if operator_id else {}
    values = {Operator.username: form.value("username"), Operator.display_name: form.value("display_name"),
              Operator.department: form.value("department"), Operator.active: bool(form.value("active"))}
    if form.raw("password"):
        values[Operator.password_hash] = await hash_password(form.raw("password"))
    async with transaction():
        if operator_id is None:
            rows = await Operator.insert(Operator(**{c._meta.name: v for c, v in values.items()}))
            operator_id = rows[0]["id"]
        else:
            await Operator.update(values).where(Operator.id == operator_id)
        await OperatorRole.delete().where(OperatorRole.operator == operator_id)
        if chosen:
            await OperatorRole.insert(*[OperatorRole(operator=operator_id, role=roles[c]) for c in chosen])
        after = await _operator_snapshot(operator_id)
        if form.raw("password"):
            after["password"] = "changed"
        await audit(request, "operator.create" if not before else "operator.update", object_type="operator", object_id=operator_id, before=before, after=after)
    if not values[Operator.active] or form.raw("password"):
        await end_sessions_of("operator", operator_id)
    return redirect_to(request, "console:operators")


@post("/console/operators/new", opt=MANAGE, name="console:operator.create")
async def operator_create(request: Request) -> Response:
    return await _save_operator(request, None)


@post("/console/operators/{operator_id:int}", opt=MANAGE, name="console:operator.save")
async def operator_update(request: Request, operator_id: FromPath[int]) -> Response:
    await _operator_snapshot(operator_id)  # 404 for another tenant's operator
    return await _save_operator(request, operator_id)


@get("/console/roles", opt=MANAGE, name="console:roles")
async def roles_list(request: Request) -> Response:
    roles = await Role.select().order_by(Role.name)
    return await render(request, "console/roles.html", {"roles": roles}, audience="operator")


async def _role_form(request: Request, form: Form, role_id: int | None, chosen: set[str], status: int = 200) -> Response:
    hall = request.app.state.hall
    return await render(request, "console/role_form.html", {"form": form, "role_id": role_id, "chosen": chosen,
                                                             "permissions": all_permissions(hall)}, status=status, audience="operator")


@get("/console/roles/new", opt=MANAGE, name="console:role.new")
async def role_new(request: Request) -> Response:
    return await _role_form(request, Form(), None, set())


@get("/console/roles/{role_id:int}", opt=MANAGE, name="console:role")
async def role_edit(request: Request, role_id: FromPath[int]) -> Response:
    role = await Role.select().where(Role.id == role_id).first()
    if role is None:
        raise NotFoundException()
    return await _role_form(request, Form({"name": role["name"]}), role_id, set(role["permissions"]))


async def _save_role(request: Request, role_id: int | None) -> Response:
    hall = request.app.state.hall
    raw = await request.form()
    form = Form({k: raw.get(k) for k in raw.keys()})
    chosen = set(raw.getall("permissions", []))
    form.require("name")
    if chosen - known_codes(hall):
        form.error("permissions", N_("Unknown permission."))
    clash = await Role.select(Role.id).where(Role.name == form.value("name")).first()
    if clash and clash["id"] != role_id:
        form.error("name", N_("A role with this name exists."))
    if not form.valid:
        return await _role_form(request, form, role_id, chosen, status=400)
    async with transaction():
        before = await Role.select(Role.name, Role.permissions).where(Role.id == role_id).first() if role_id else {}
        after = {"name": form.value("name"), "permissions": sorted(chosen)}
        if role_id is None:
            rows = await Role.insert(Role(name=after["name"], permissions=after["permissions"]))
            role_id = rows[0]["id"]
        else:
            await Role.update({Role.name: after["name"], Role.permissions: after["permissions"]}).where(Role.id == role_id)
        await audit(request, "role.create" if not before else "role.update", object_type="role", object_id=role_id, before=before or {}, after=after)
    return redirect_to(request, "console:roles")


@post("/console/roles/new", opt=MANAGE, name="console:role.create")
async def role_create(request: Request) -> Response:
    return await _save_role(request, None)


@post("/console/roles/{role_id:int}", opt=MANAGE, name="console:role.save")
async def role_update(request: Request, role_id: FromPath[int]) -> Response:
    if not await Role.exists().where(Role.id == role_id):
        raise NotFoundException()
    return await _save_role(request, role_id)


HANDLERS = [operators_list, operator_new, operator_edit, operator_create, operator_update, roles_list, role_new, role_edit, role_create, role_update]
