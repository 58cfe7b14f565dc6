"""The page cache on the bill page: a hit costs one statement and no render; a stale page is never served.

Each change goes through the path production uses (a sync batch, an outbox event in a payment's
transaction, the language form, log-out) and the next request must show the fresh page.
"""

from __future__ import annotations

import datetime as dt
import re

from bills_support import customer_client, month_list

from core.api.testing import make_customer, measure_requests, register_customer
from core.db import page_versions

MONTH = month_list()[0]  # 2024-05, the latest bill
NONCE = re.compile(r'nonce="([^"]+)"')


def bill_path(ids, tid="alpha") -> str:
    return f"/bills/{ids[tid]['numbers'][0]}/{MONTH}"


def cache_state(response) -> str:
    return response.headers.get("x-hall-cache", "")


def without_nonce(html: str) -> str:
    return NONCE.sub('nonce=""', html)


async def land_bill(number: str, prefix: str, amount_fen: int) -> None:
    """A sync batch (the real engine and upsert) that changes the number's latest bill."""
    from core.legacy.billing_sync import upsert_bills
    from core.legacy.ports import LegacyBill, LegacyBillItem
    from core.legacy.sync_engine import sync_kind
    from core.tenancy import current_tenant

    bill = LegacyBill(
        legacy_id=f"{prefix}-{number}-{MONTH}",
        number=number,
        month=MONTH,
        amount_fen=amount_fen,
        due_date=dt.date(2024, 6, 15),
        items=(LegacyBillItem("YZF", "月租费", amount_fen),),
    )

    async def source(watermark: str, limit: int):
        return ([bill], "w1") if watermark < "w1" else ([], watermark)

    await sync_kind(current_tenant(), source, upsert_bills, "bills")


def test_a_second_request_is_a_hit_with_one_statement_no_hook_and_a_fresh_nonce(world):
    harness, ids = world
    client = customer_client(harness, ids)
    first = client.get(bill_path(ids))
    assert first.status_code == 200 and cache_state(first) == "miss"
    reads = page_versions.reads[0]
    with measure_requests(harness.hall) as cost:
        second = client.get(bill_path(ids))
    assert second.status_code == 200 and cache_state(second) == "hit"
    assert cost.statements <= 1 and cost.hook_calls == 0, cost.report()  # no page_context, no render
    assert page_versions.reads[0] - reads == 1  # the version, read once (raw driver: not in cost.statements)
    assert without_nonce(second.text) == without_nonce(first.text)
    nonce = NONCE.search(second.text).group(1)
    assert nonce != NONCE.search(first.text).group(1)
    assert f"'nonce-{nonce}'" in second.headers["content-security-policy"]
    for name in ("cache-control", "x-frame-options", "referrer-policy", "content-type"):
        assert second.headers.get(name) == first.headers.get(name), name
    assert "set-cookie" not in second.headers and "set-cookie" not in first.headers


def test_a_sync_landing_a_changed_bill_shows_at_once(world):
    harness, ids = world
    client = customer_client(harness, ids)
    client.get(bill_path(ids))
    assert cache_state(client.get(bill_path(ids))) == "hit"
    harness.in_tenant("alpha", land_bill, ids["alpha"]["numbers"][0], "alpha", 987654)
    fresh = client.get(bill_path(ids))
    assert cache_state(fresh) == "miss", fresh.text
    assert "9876.54" in fresh.text, re.findall(r"[0-9,]+\.[0-9]{2}", fresh.text)[:20]


def test_an_outbox_event_in_a_payments_transaction_makes_the_page_stale(world):
    from core.db import transaction
    from core.legacy.outbox import emit

    harness, ids = world
    client = customer_client(harness, ids)
    client.get(bill_path(ids))
    assert cache_state(client.get(bill_path(ids))) == "hit"

    async def post_payment():
        async with transaction():
            await emit("payment.posted", {"number": ids["alpha"]["numbers"][0], "amount_fen": 100})

    harness.in_tenant("alpha", post_payment)
    assert cache_state(client.get(bill_path(ids))) == "miss"


def test_a_language_switch_shows_the_other_language(world):
    harness, ids = world
    client = customer_client(harness, ids)
    before = client.get(bill_path(ids))
    assert 'lang="zh-CN"' in before.text
    assert client.post("/language", {"language": "en", "next": bill_path(ids)}).status_code in (302, 303)
    after = client.get(bill_path(ids))
    assert 'lang="en"' in after.text and cache_state(after) == "miss"


def test_after_log_out_the_old_cookies_get_no_page(world):
    harness, ids = world
    client = customer_client(harness, ids)
    client.get(bill_path(ids))
    assert cache_state(client.get(bill_path(ids))) == "hit"
    cookies = "; ".join(f"{c.name}={c.value}" for c in client.http.cookies.jar)
    assert client.post("/logout").status_code in (302, 303)
    replay = client.http.get(bill_path(ids), headers={"cookie": cookies}, follow_redirects=False)
    assert replay.status_code in (302, 303, 401) and cache_state(replay) == ""


def test_an_expired_session_gets_no_page(world):
    from core.auth import sessions
    from core.auth.tables import Session

    harness, ids = world
    client = customer_client(harness, ids)
    client.get(bill_path(ids))
    assert cache_state(client.get(bill_path(ids))) == "hit"
    past = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)
    harness.in_tenant("alpha", lambda: Session.update({Session.expires_at: past}, force=True))
    for _, row in sessions._cache.values():  # what a worker's cached row says once the expiry passed
        row["expires_at"] = past
    answer = client.get(bill_path(ids), follow_redirects=False)
    assert answer.status_code in (302, 303, 401) and cache_state(answer) == ""


def test_another_customer_on_the_same_url_gets_their_own_answer(world):
    harness, ids = world
    client = customer_client(harness, ids)  # one app (one worker): the owner, then another customer
    client.get(bill_path(ids))
    assert cache_state(client.get(bill_path(ids))) == "hit"
    other = make_customer(80, email="other@example.com", numbers=("13900009001",), phone="13900009001")
    register_customer(harness, "alpha", other)
    assert client.post("/logout").status_code in (302, 303)
    client.login_customer("13900009001")
    assert client.get(bill_path(ids)).status_code == 404
    own = client.get("/bills/")
    assert own.status_code == 200 and ids["alpha"]["numbers"][0] not in own.text


def test_another_tenant_on_the_same_path_gets_its_own_answer(world):
    harness, ids = world
    alpha = customer_client(harness, ids)
    alpha.get("/bills/")
    assert cache_state(alpha.get("/bills/")) == "hit"
    beta = customer_client(harness, ids, "beta")
    beta_cookies = "; ".join(f"{c.name}={c.value}" for c in beta.http.cookies.jar)
    host = harness.tenant("beta").hosts[0]
    page = alpha.http.get("/bills/", headers={"host": host, "cookie": beta_cookies})  # beta, on alpha's worker
    assert page.status_code == 200 and cache_state(page) == "miss"
    assert ids["beta"]["numbers"][0] in page.text and ids["alpha"]["numbers"][0] not in page.text
    alpha_cookies = "; ".join(f"{c.name}={c.value}" for c in alpha.http.cookies.jar)
    crossed = alpha.http.get("/bills/", headers={"host": host, "cookie": alpha_cookies}, follow_redirects=False)
    assert crossed.status_code != 200 and cache_state(crossed) == ""  # alpha's session means nothing to beta


def test_two_web_processes_see_each_others_writes(world):
    """Two app instances (two workers) with one session: a write anywhere makes both stores stale."""
    harness, ids = world
    first = customer_client(harness, ids)
    second = harness.client("alpha")
    for cookie in first.http.cookies.jar:
        second.http.cookies.set(cookie.name, cookie.value)
    for client in (first, second):
        client.get(bill_path(ids))
        assert cache_state(client.get(bill_path(ids))) == "hit"
    harness.in_tenant("alpha", land_bill, ids["alpha"]["numbers"][0], "alpha", 123456)
    for client in (first, second):
        fresh = client.get(bill_path(ids))
        assert cache_state(fresh) == "miss" and "1234.56" in fresh.text


def test_the_account_page_is_cached_and_a_linked_number_shows_at_once(world):
    from core.auth import account_service

    harness, ids = world
    client = customer_client(harness, ids)
    assert cache_state(client.get("/account")) == "miss"
    assert cache_state(client.get("/account")) == "hit"
    harness.in_tenant("alpha", account_service.link_number, ids["alpha"]["account"], "13900000777")
    fresh = client.get("/account")
    assert cache_state(fresh) == "miss" and "13900000777" in fresh.text


def test_a_terminals_browser_is_never_served_from_the_cache(world):
    from core.tmf import terminal
    from core.web.pagecache.layer import TERMINAL_COOKIE

    assert TERMINAL_COOKIE == terminal.COOKIE
    harness, ids = world
    client = customer_client(harness, ids)
    client.http.cookies.set(TERMINAL_COOKIE, "not-a-terminal")
    client.get(bill_path(ids))
    assert cache_state(client.get(bill_path(ids))) == ""
