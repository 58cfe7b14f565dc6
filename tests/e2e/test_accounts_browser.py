"""A real browser opens Accounts and balances and an account's combined bill, on a desktop and on a phone (390 px).

Per demo tenant (both bill per number): demo customer 0 signs in with their
first number, which has its own bills (as tests/plugins/bills seeds them) and a
balance in the demo BSS (ZH_YE / ACC_BALANCE, read live through the sqlbss
balances port). Their other two numbers are put on one billing account with a
combined bill for 2024-05, as the account sync would leave it, and the second
number is linked. The pages must show the accounts, the balance with "data as
of", the combined bill with each number's share, and nothing may scroll
sideways. Screenshots: test-artifacts/screenshots/<tenant>-accounts-*.png.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from browser_accounts import demo_accounts, in_live_hall, log_in

CHROMIUM = Path("/usr/bin/chromium")
DEVICES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
WAIT_MS = 15_000
PASSWORD = "Accounts-2026-ok"
TENANTS = ("jiangnan", "haibin")
ACCOUNT = "E2E-ACC"
WORDS = {
    "jiangnan": ("账户与余额", "数据更新于", "各号码分摊", "整个账户"),
    "haibin": ("Accounts and balances", "Data as of", "Each number's share", "The whole account"),
}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium"
    ),
]


async def _combined_account(hall, customers: dict) -> dict:
    """Demo customer 0's second and third numbers on one account with a combined bill; the second one linked."""
    from core.auth.tables import AccountNumber, BillingAccount, CustomerAccount, ServiceNumber
    from core.legacy.billing_tables import Bill, BillItem
    from core.tenancy import tenant_scope

    out = {}
    for tenant in hall.tenants:
        with tenant_scope(tenant):
            demo = customers[tenant.id][0]
            _, second, third = demo.numbers[:3]
            login = (
                await CustomerAccount.select(CustomerAccount.id)
                .where(CustomerAccount.customer_legacy_id == demo.legacy_id)
                .first()
            )
            await AccountNumber.insert(AccountNumber(account=login["id"], number=second))
            await BillingAccount.insert(
                BillingAccount(legacy_id=ACCOUNT, customer_legacy_id=demo.legacy_id, name=demo.name, billing="postpaid")
            )
            await ServiceNumber.update({ServiceNumber.account_legacy_id: ACCOUNT}).where(
                ServiceNumber.number.is_in([second, third])
            )
            lines = [(second, "YZF", "月租费", 5800), (third, "YZF", "月租费", 12000), (second, "SHF", "市话费", 1234)]
            lines.append(("", "ZHF", "账户管理费", 100))
            await Bill.insert(
                Bill(
                    legacy_id=f"{ACCOUNT}-2024-05",
                    number="",
                    account_legacy_id=ACCOUNT,
                    month="2024-05",
                    amount_fen=sum(x[-1] for x in lines),
                    status="unpaid",
                    due_date=dt.date(2024, 6, 15),
                )
            )
            await BillItem.insert(
                *[
                    BillItem(
                        legacy_id=f"{ACCOUNT}-2024-05/{i}",
                        bill_legacy_id=f"{ACCOUNT}-2024-05",
                        position=i,
                        code=code,
                        name=name,
                        amount_fen=fen,
                        number=number,
                    )
                    for i, (number, code, name, fen) in enumerate(lines)
                ]
            )
            out[tenant.id] = (second, third)
    return out


@pytest.fixture(scope="module")
def accounts_hall(live_hall):
    logins = demo_accounts(live_hall, index=0, password=PASSWORD, seed_label="e2e-acct", calls_per_month=0, months=3)
    combined = in_live_hall(live_hall, "e2e-acct", lambda hall: _combined_account(hall, live_hall.customers))
    return live_hall, logins, combined


def _no_overflow(page, where: str) -> None:
    sizes = page.evaluate("() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert sizes["scroll"] <= sizes["inner"] + 1, f"{where} scrolls sideways: {sizes}"


@pytest.mark.parametrize("tenant", TENANTS)
def test_accounts_and_a_combined_bill_on_desktop_and_phone(accounts_hall, chromium, shoot, tenant):
    hall, logins, combined = accounts_hall
    base = hall.base(tenant)
    number = logins[tenant]
    second, third = combined[tenant]
    errors: list[str] = []
    for device, viewport in DEVICES.items():
        context = chromium.new_context(viewport=viewport)
        context.set_default_timeout(WAIT_MS)
        try:
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            log_in(page, base, number, PASSWORD)

            assert page.goto(f"{base}/account/billing").status == 200
            own = page.locator(f'tr[data-account="{number}"]')
            assert own.count() == 1
            assert own.locator(".balance").count() == 1 and own.locator("time").count() == 1  # the demo BSS's figure
            shared = page.locator(f'tr[data-account="{ACCOUNT}"]')
            main = page.locator("main").inner_text()
            assert shared.locator(".account-numbers li").all_inner_texts() == sorted([second, third]), (
                f"{device}: account {ACCOUNT} of {second} and {third} not listed:\n{main}"
            )
            assert WORDS[tenant][0] in main and WORDS[tenant][1] in main
            _no_overflow(page, "accounts")
            shoot(page, tenant, f"accounts-list-{device}")

            shared.locator("td.actions a").first.click()  # the account's bills
            page.wait_for_url(f"**/bills/accounts/{ACCOUNT}")
            assert page.locator(f'tr[data-bill="{ACCOUNT}-2024-05"]').count() == 1
            _no_overflow(page, "account bills")
            shoot(page, tenant, f"accounts-bills-{device}")

            page.locator(f'tr[data-bill="{ACCOUNT}-2024-05"] a').click()
            page.wait_for_url(f"**/bills/accounts/{ACCOUNT}/2024-05")
            shares = page.locator("table.bill-shares tbody tr")
            assert shares.count() == 3
            main = page.locator("main").inner_text()
            assert WORDS[tenant][2] in main and WORDS[tenant][3] in main and "191.34" in main
            _no_overflow(page, "combined bill")
            shoot(page, tenant, f"accounts-bill-{device}")

            assert page.goto(f"{base}/billpay/").status == 200  # the account is paid as one
            assert page.locator(f'section[data-account="{ACCOUNT}"] tr[data-bill="{ACCOUNT}-2024-05"]').count() == 1
            assert page.locator(f'section[data-number="{number}"] .balance').count() == 1
            _no_overflow(page, "pay bills")
            shoot(page, tenant, f"accounts-pay-{device}")
        finally:
            context.close()
    assert errors == []
