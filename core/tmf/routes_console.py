"""The console's API clients: register (the secret shown once), rotate, revoke; each kiosk's last heartbeat."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from core.i18n import N_
from core.tmf import clients
from core.tmf.scopes import SCOPES
from core.tmf.tables import KINDS, KIOSK, ApiClient
from core.tmf.terminal import last_actions
from core.tmf.tokens import as_list
from core.web.dependencies import AuditorDep
from core.web.forms import FieldErrors, Form
from core.web.numbers import parse_int
from core.web.render import hall_of, render

MANAGE = {"auth": "operator", "permission": "core.api.clients"}


async def _page(
    request: Request, form: Form | None = None, *, shown: dict | None = None, status: int = 200
) -> Response:
    rows = [
        {**r, "scope_list": as_list(r["scopes"])}
        for r in await ApiClient.select().order_by(ApiClient.id, ascending=False).limit(200)
    ]
    used = await last_actions([r["client_id"] for r in rows if r["kind"] == KIOSK])
    rows = [{**r, "last_action_at": used.get(r["client_id"])} for r in rows]
    context = {"clients": rows, "form": form or Form({}), "kinds": KINDS, "scopes": SCOPES, "shown": shown}
    return await render(request, "tmf/console_clients.html", context, status=status, audience="operator")


@get("/console/api-clients", opt=MANAGE, name="console:api.clients")
async def clients_page(request: Request) -> Response:
    return await _page(request)


@post("/console/api-clients", opt=MANAGE, name="console:api.clients.create")
async def create(request: Request, auditor: AuditorDep) -> Response:
    form = await Form.from_request(request)
    raw = await request.form()
    rate = parse_int(form.value("rate") or "120", low=1, high=100_000)
    try:
        if rate is None:
            problems = FieldErrors()
            problems.add("rate", N_("Give a whole number from 1 to 100000."))
            raise problems
        client, secret = await clients.register(
            auditor,
            hall_of(request).secret,
            name=form.value("name"),
            kind=form.value("kind"),
            scopes=[str(s) for s in raw.getall("scopes", [])],
            redirect_text=form.value("redirect_uris"),
            rate=rate,
        )
    except FieldErrors as problems:
        form.take(problems)
        form.data["scopes_chosen"] = " ".join(str(s) for s in raw.getall("scopes", []))
        return await _page(request, form, status=400)
    return await _page(request, shown={"client_id": client["client_id"], "secret": secret})


async def _client(client_pk: int) -> dict:
    row = await ApiClient.select().where(ApiClient.id == client_pk).first()
    if row is None:
        raise NotFoundException()
    return row


@post("/console/api-clients/{client_pk:int}/rotate", opt=MANAGE, name="console:api.clients.rotate")
async def rotate(request: Request, client_pk: FromPath[int], auditor: AuditorDep) -> Response:
    client = await _client(client_pk)
    if not client["active"] or not client["secret_hash"]:
        return await _page(request, status=409)
    secret = await clients.rotate(auditor, hall_of(request).secret, client)
    return await _page(request, shown={"client_id": client["client_id"], "secret": secret})


@post("/console/api-clients/{client_pk:int}/revoke", opt=MANAGE, name="console:api.clients.revoke")
async def revoke(request: Request, client_pk: FromPath[int], auditor: AuditorDep) -> Response:
    await clients.revoke(auditor, await _client(client_pk))
    return await _page(request)


HANDLERS = [clients_page, create, rotate, revoke]
