"""Console: home (panels from plugins), audit log search, message outbox, customer look-up, tenants."""

from __future__ import annotations

import datetime as dt

from litestar import Request, Response, get

from core.audit import AuditLog
from core.auth.tables import AccountNumber, Customer, CustomerAccount, ServiceNumber
from core.notify.tables import Message
from core.privacy import mask_contact
from core.web.paging import paginate
from core.web.panels import panels_for
from core.web.render import render

OPERATOR = {"auth": "operator"}


@get("/console", opt=OPERATOR, name="console:home")
async def console_home(request: Request) -> Response:
    return await render(
        request, "console/home.html", {"panels": await panels_for(request, "operator")}, audience="operator"
    )


@get("/console/audit", opt={"auth": "operator", "permission": "core.audit.view"}, name="console:audit")
async def audit_search(request: Request) -> Response:
    q = request.query_params
    query = AuditLog.select().order_by(AuditLog.id, ascending=False)
    filters = {
        k: (q.get(k) or "").strip()[:100]
        for k in ("actor", "action", "object_type", "object_id", "date_from", "date_to")
    }
    for key in ("actor", "action", "object_type", "object_id"):
        if filters[key]:
            column = getattr(AuditLog, key)
            if key in ("actor", "action"):  # SQLite's LIKE is already case-insensitive for ASCII; ILIKE is PostgreSQL's
                like = column.like if request.app.state.hall.db.is_sqlite else column.ilike
                query = query.where(like(f"%{filters[key]}%"))
            else:
                query = query.where(column == filters[key])
    for key, op in (("date_from", "ge"), ("date_to", "lt")):
        if filters[key]:
            try:
                day = dt.datetime.strptime(filters[key], "%Y-%m-%d").replace(tzinfo=dt.timezone.utc)
            except ValueError:
                filters[key] = ""
                continue
            query = (
                query.where(AuditLog.at >= day) if op == "ge" else query.where(AuditLog.at < day + dt.timedelta(days=1))
            )
    page = await paginate(request, query)
    return await render(
        request,
        "console/audit.html",
        {"entries": page.rows, "filters": filters, **page.template_context},
        audience="operator",
    )


@get("/console/messages", opt={"auth": "operator", "permission": "core.messages.view"}, name="console:messages")
async def messages_outbox(request: Request) -> Response:
    channel = request.query_params.get("channel", "")
    query = Message.select().order_by(Message.id, ascending=False)
    if channel in ("sms", "email"):
        query = query.where(Message.channel == channel)
    page = await paginate(request, query)
    return await render(
        request,
        "console/messages.html",
        {"messages": page.rows, "channel": channel, **page.template_context},
        audience="operator",
    )


@get("/console/customers", opt={"auth": "operator", "permission": "core.customers.view"}, name="console:customers")
async def customers_search(request: Request) -> Response:
    term = (request.query_params.get("q") or "").strip()[:64]
    results = []
    if term:
        numbers = await ServiceNumber.select(ServiceNumber.customer_legacy_id).where(ServiceNumber.number == term)
        ids = {n["customer_legacy_id"] for n in numbers}
        match = (Customer.legacy_id == term) | (Customer.name == term)
        if ids:
            match = match | Customer.legacy_id.is_in(sorted(ids))
        query = Customer.select().where(match)
        for c in await query.limit(50):
            account = (
                await CustomerAccount.select(CustomerAccount.id)
                .where(CustomerAccount.customer_legacy_id == c["legacy_id"])
                .first()
            )
            linked = (
                await AccountNumber.select(AccountNumber.number).where(AccountNumber.account == account["id"])
                if account
                else []
            )
            results.append(
                {
                    "legacy_id": c["legacy_id"],
                    "name": c["name"],
                    "id_masked": c["id_masked"],
                    "status": c["status"],
                    "phone": mask_contact(c["phone"]) if c["phone"] else "",
                    "email": mask_contact(c["email"]) if c["email"] else "",
                    "registered": account is not None,
                    "linked": [r["number"] for r in linked],
                    "synced_at": c["synced_at"],
                }
            )
    return await render(request, "console/customers.html", {"q": term, "results": results}, audience="operator")


@get("/console/tenants", opt={"auth": "super"}, name="console:tenants")
async def tenants_overview(request: Request) -> Response:
    hall = request.app.state.hall
    return await render(
        request,
        "console/tenants.html",
        {"tenants": list(hall.tenants), "plugins": hall.plugins.names()},
        audience="operator",
    )


HANDLERS = [console_home, audit_search, messages_outbox, customers_search, tenants_overview]
