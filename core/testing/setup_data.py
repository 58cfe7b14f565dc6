"""Put customers, accounts and operators into a test hall the way production code does."""

from __future__ import annotations

from core.auth.admin import ensure_operator, ensure_superadmin
from core.auth.customers import create_account
from core.auth.passwords import hash_password
from core.auth.permissions import known_codes
from core.legacy.customer_sync import sync_customers
from core.legacy.ports import LegacyCustomer
from core.tenancy import tenant_scope
from core.testing.harness import PASSWORD, HallHarness


def sync(harness: HallHarness, tenant_id: str):
    tenant = harness.tenant(tenant_id)
    return harness.run(sync_customers(tenant, harness.hall.connector(tenant), secret=harness.hall.secret))


def register_customer(harness: HallHarness, tenant_id: str, customer: LegacyCustomer, password: str = PASSWORD) -> int:
    """A customer who already signed up (synced, account created, first number linked)."""
    from core.auth.tables import Customer

    tenant = harness.tenant(tenant_id)
    connector = harness.hall.connector(tenant)
    if customer not in connector.customers:
        connector.customers.append(customer)
    sync(harness, tenant_id)

    async def go():
        with tenant_scope(tenant):
            row = await Customer.select().where(Customer.legacy_id == customer.legacy_id).first()
            return await create_account(
                customer=row,
                number=customer.numbers[0].number,
                password_hash=await hash_password(password),
                language=tenant.language,
            )

    return harness.run(go())


def add_operator(
    harness: HallHarness,
    tenant_id: str,
    username: str,
    permissions: list[str] | None = None,
    password: str = PASSWORD,
    role: str | None = None,
) -> int:
    perms = sorted(known_codes(harness.hall)) if permissions is None else permissions
    return harness.run(
        ensure_operator(harness.tenant(tenant_id), username, username, password, role or f"role-{username}", perms)
    )


def add_superadmin(harness: HallHarness, username: str = "root", password: str = PASSWORD) -> int:
    return harness.run(ensure_superadmin(username, "Super admin", password))


def add_billing_account(
    harness: HallHarness,
    tenant_id: str,
    legacy_id: str,
    *,
    numbers: tuple[str, ...] | list[str],
    customer_legacy_id: str | None,
    name: str = "",
    billing: str = "postpaid",
    status: str = "active",
) -> None:
    """A billing account (合账) as the account sync leaves it: its row (none when ``customer_legacy_id`` is None,
    an account known only from the lines) and ``numbers`` pointing at it."""
    from core.auth.tables import BillingAccount, ServiceNumber

    async def go():
        if customer_legacy_id is not None:
            await BillingAccount.insert(
                BillingAccount(
                    legacy_id=legacy_id,
                    customer_legacy_id=customer_legacy_id,
                    name=name,
                    billing=billing,
                    status=status,
                )
            )
        await ServiceNumber.update({ServiceNumber.account_legacy_id: legacy_id}).where(
            ServiceNumber.number.is_in(list(numbers))
        )

    harness.in_tenant(tenant_id, go)
