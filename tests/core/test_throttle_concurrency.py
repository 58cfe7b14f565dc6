"""Concurrent attempts cannot beat a limit: each is counted before it is checked (on PostgreSQL: separate connections).

The incident: 30 concurrent wrong passwords were all checked against a limit of 5, and
10 concurrent wrong codes against a limit of 5. The hall fixture runs without a
connection pool, so on PostgreSQL every statement of every attempt below takes its own
connection and the attempts really overlap in the database.
"""

from __future__ import annotations

import asyncio

from core.auth import login_guard, otp
from core.auth.passwords import hash_password, verify_password
from core.auth.send_limits import reserve_send
from core.auth.tables import OneTimeCode
from core.db import piccolo_conf
from core.tenancy import tenant_scope


def _gather(harness, make, n):
    """Run ``n`` attempts at once in the alpha tenant, released together."""
    tenant = harness.tenant("alpha")

    async def scenario():
        start = asyncio.Event()

        async def one(i):
            await start.wait()
            with tenant_scope(tenant):
                return await make(i)

        tasks = [asyncio.create_task(one(i)) for i in range(n)]
        await asyncio.sleep(0)
        start.set()
        return await asyncio.gather(*tasks)

    results = harness.run(scenario())
    if not harness.hall.db.is_sqlite:
        assert getattr(piccolo_conf.DB, "pool", None) is None  # one connection per statement: real overlap
    return results


def test_30_concurrent_wrong_passwords_are_not_all_checked(hall):
    security = hall.hall.deployment.security  # login_max_failures = 5
    stored = hall.run(hash_password("the-right-one-1"))
    checked = []

    async def attempt(i):
        async def verify():
            checked.append(i)
            return await verify_password(stored, f"wrong-{i}-x")

        return await login_guard.attempt(security, scope="login", account="a1", address="203.0.113.7", verify=verify)

    outcomes = _gather(hall, attempt, 30)
    assert len(checked) == security.login_max_failures, checked
    assert sum(o.retry_at is not None for o in outcomes) == 30 - len(checked)


def test_10_concurrent_wrong_codes_use_at_most_the_codes_guesses(hall, monkeypatch):
    secret = hall.hall.secret
    flow, code = hall.in_tenant(
        "alpha", otp.issue, secret=secret, purpose="signup", subject="L1", minutes=10, identity="cust:L1"
    )
    compared = []
    real_hash = otp._hash
    monkeypatch.setattr(otp, "_hash", lambda *a: (compared.append(a), real_hash(*a))[1])
    wrong = "000000" if code != "000000" else "111111"

    async def guess(i):
        return await otp.check(
            secret=secret, purpose="signup", flow=flow, code=wrong, max_attempts=5, guesses_per_day=100
        )

    results = _gather(hall, guess, 10)
    assert len(compared) == 5, f"{len(compared)} guesses compared against a limit of 5"
    assert hall.in_tenant("alpha", lambda: OneTimeCode.select(OneTimeCode.attempts).first())["attempts"] == 5
    assert sorted(r.result for r in results) == ["locked"] * 6 + ["wrong"] * 4  # the fifth compared guess locks too
    # the code is spent: even the right code is refused now, and not compared
    right = hall.in_tenant(
        "alpha", otp.check, secret=secret, purpose="signup", flow=flow, code=code, max_attempts=5, guesses_per_day=100
    )
    assert right.result == "locked" and len(compared) == 5


def test_concurrent_guesses_across_codes_respect_the_customers_daily_cap(hall, monkeypatch):
    secret = hall.hall.secret
    flows = []
    for n in range(4):  # four live codes of one customer (different flows), 20 guesses each allowed
        flows.append(
            hall.in_tenant(
                "alpha", otp.issue, secret=secret, purpose=f"p{n}", subject="L2", minutes=10, identity="cust:L2"
            )[0]
        )
    compared = []
    real_hash = otp._hash
    monkeypatch.setattr(otp, "_hash", lambda *a: (compared.append(a), real_hash(*a))[1])

    async def guess(i):
        return await otp.check(
            secret=secret,
            purpose=f"p{i % 4}",
            flow=flows[i % 4],
            code="not-a-code",
            max_attempts=20,
            guesses_per_day=10,
        )

    results = _gather(hall, guess, 40)
    assert len(compared) == 10, f"{len(compared)} guesses compared against a daily cap of 10"
    assert sum(r.result == "throttled" for r in results) == 30


def test_concurrent_code_requests_send_at_most_one(hall):
    security = hall.hall.deployment.security

    async def ask(i):
        return await reserve_send(security, recipient="13900000031", identity="cust:L3", address=f"192.0.2.{i}")

    results = _gather(hall, ask, 20)
    assert sum(r.ok for r in results) == 1
    assert all(r.retry_at is not None for r in results if not r.ok)


def test_30_concurrent_log_in_posts_check_at_most_5_passwords(hall, monkeypatch):
    """The incident through the real page: 30 wrong passwords posted at once to /login; 5 are checked, 25 told to wait.

    (All wrong on purpose: a right password among the first five would rightly clear the account's
    failures from that address, and the count of checks would depend on the order.)"""
    import httpx

    from core.testing import make_customer, register_customer
    from core.auth import routes_customer as customer_auth_pages

    customer = make_customer(41)
    register_customer(hall, "alpha", customer)
    checked = []
    real_verify = customer_auth_pages.verify_password

    async def counting_verify(stored, password):
        checked.append(password)
        return await real_verify(stored, password)

    monkeypatch.setattr(customer_auth_pages, "verify_password", counting_verify)
    app = hall.new_app()

    async def scenario():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=f"http://{hall.tenant('alpha').hosts[0]}") as client:
            await client.get("/login")
            token = client.cookies.get("hall_csrf")
            passwords = [f"wrong-{i}-x" for i in range(30)]
            return await asyncio.gather(
                *(
                    client.post(
                        "/login", data={"login": customer.numbers[0].number, "password": p, "_csrf_token": token}
                    )
                    for p in passwords
                )
            )

    responses = hall.run(scenario())
    assert len(checked) == 5, f"{len(checked)} passwords checked against a limit of 5"
    assert [r.status_code for r in responses] == [400] * 30
    assert sum("之后再试" in r.text for r in responses) == 25
