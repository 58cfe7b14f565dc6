"""Console: one customer on one page - identity, lines, billing accounts with their last known balance, payments, work orders and the sections plugins add.

Reached from the customer search. Reading needs ``core.customers.view``; each
core section also needs the permission of its own console page (payments:
``core.payments.view``, work orders: the handling permission, limited to the
orders the operator may see). Plugins add sections through the
``customer_sections`` hook. Every view is written to the audit log, since the
page shows personal data.
"""

from __future__ import annotations

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from core.auth.tables import AccountNumber, Customer, CustomerAccount, ServiceNumber
from core.legacy.accounts import accounts_of_customer
from core.legacy.balances import cached_many as cached_balances
from core.payments import intents_of
from core.privacy import mask_contact
from core.web.audit_helpers import audit
from core.web.panels import collect_panels
from core.web.context import info
from core.web.render import hall_of, render
from core.workorders import types_for
from core.workorders.access import HANDLE
from core.workorders.tables import WorkOrder

RECENT = 20


async def _work_orders(request: Request, account_id: int | None) -> list[dict] | None:
    """The customer's latest orders the operator may see (None: no permission to see work orders)."""
    principal = info(request).principal
    if not principal.can(HANDLE):
        return None
    if account_id is None:
        return []
    from core.workorders.routes_console import _visible
    from core.workorders.views import actor_of

    query = WorkOrder.select().where(WorkOrder.customer == account_id)
    visible = await _visible(actor_of(request))
    if visible is not None:
        query = query.where(visible)
    return await query.order_by(WorkOrder.id, ascending=False).limit(RECENT)


@get(
    "/console/customers/{legacy_id:str}",
    opt={"auth": "operator", "permission": "core.customers.view"},
    name="console:customer",
)
async def customer_view(request: Request, legacy_id: FromPath[str]) -> Response:
    legacy_id = legacy_id.strip()[:64]
    row = await Customer.select().where(Customer.legacy_id == legacy_id).first()
    if row is None:  # scoped to the tenant: another tenant's customer is not found either
        raise NotFoundException()
    hall, ri = hall_of(request), info(request)
    account = (
        await CustomerAccount.select(
            CustomerAccount.id,
            CustomerAccount.email,
            CustomerAccount.active,
            CustomerAccount.created_at,
            CustomerAccount.last_login_at,
        )
        .where(CustomerAccount.customer_legacy_id == legacy_id)
        .first()
    )
    lines = (
        await ServiceNumber.select().where(ServiceNumber.customer_legacy_id == legacy_id).order_by(ServiceNumber.number)
    )
    linked = (
        {
            r["number"]
            for r in await AccountNumber.select(AccountNumber.number).where(AccountNumber.account == account["id"])
        }
        if account
        else set()
    )
    customer = {
        "legacy_id": row["legacy_id"],
        "name": row["name"],
        "status": row["status"],
        "account_id": account["id"] if account else None,
        "numbers": [n["number"] for n in lines],
    }
    billing_accounts = await accounts_of_customer(legacy_id)
    balances = await cached_balances([a.legacy_id for a in billing_accounts])
    accounts = [{"account": a, "balance": balances.get(a.legacy_id)} for a in billing_accounts]
    payments = await intents_of(customer_id=legacy_id, limit=RECENT) if ri.principal.can("core.payments.view") else None
    orders = await _work_orders(request, customer["account_id"])
    results = hall.hooks_for(ri.tenant).customer_sections(
        hall=hall, tenant=ri.tenant, request=request, customer=customer
    )
    sections = await collect_panels(request, results, "operator")
    await audit(
        request, "customer.view", object_type="customer", object_id=legacy_id, summary=f"customer view {legacy_id}"
    )
    return await render(
        request,
        "console/customer.html",
        {
            "c": row,
            "phone": mask_contact(row["phone"]) if row["phone"] else "",
            "email": mask_contact(row["email"]) if row["email"] else "",
            "account": account,
            "account_email": mask_contact(account["email"]) if account and account["email"] else "",
            "lines": lines,
            "linked": linked,
            "accounts": accounts,
            "payments": payments,
            "orders": orders,
            "types": types_for(hall, ri.tenant) if orders else {},
            "sections": sections,
        },
        audience="operator",
    )


HANDLERS = [customer_view]
