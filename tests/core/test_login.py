"""Log-in, throttling, log-out, password change and reset, sessions that survive a restart, CSRF."""

from core.auth.tables import Session
from core.testing import PASSWORD, add_operator, field_errors, make_customer, register_customer
from identity_steps import MovableClock, flow_of, last_sms_code


def _registered(hall, n=21, **kw):
    customer = make_customer(n, **kw)
    register_customer(hall, "alpha", customer)
    return customer


def test_wrong_password_is_a_field_error(hall):
    customer = _registered(hall)
    r = hall.client("alpha").post("/login", {"login": customer.numbers[0].number, "password": "wrong-one-1"})
    assert r.status_code == 400
    assert field_errors(r.text) == ["登录名或密码不正确。"] or field_errors(r.text)


HOME = {"x-forwarded-for": "198.51.100.9"}  # the owner's usual address (behind the trusted test proxy)
AWAY = {"x-forwarded-for": "203.0.113.7"}  # an attacker's


def _behind_proxy(hall_factory):
    from core.testing import TenantSpec

    harness = hall_factory([TenantSpec("alpha")], deployment={"server": {"trusted_proxies": ["10.0.0.0/8"]}})
    direct = harness.client
    harness.client = lambda tenant_id, **kw: direct(
        tenant_id, **{"peer": "10.0.0.2", **kw}
    )  # every client comes through the proxy
    return harness


def _waits(response) -> bool:
    return response.status_code == 400 and any("之后再试" in e for e in field_errors(response.text))


def test_an_attacker_elsewhere_cannot_keep_the_owner_out(hall_factory, monkeypatch):
    """Five wrong passwords used to lock the account for everyone; now only the guessing address waits."""
    harness = _behind_proxy(hall_factory)
    clock = MovableClock(monkeypatch)
    customer = make_customer(21)
    register_customer(harness, "alpha", customer)
    number = customer.numbers[0].number
    harness.client("alpha").post("/login", {"login": number, "password": PASSWORD}, headers=HOME)  # the owner, at home
    attacker = harness.client("alpha")
    for _ in range(5):
        wrong = attacker.post("/login", {"login": number, "password": "wrong-one-1"}, headers=AWAY)
        assert wrong.status_code == 400 and not _waits(wrong)
    assert _waits(attacker.post("/login", {"login": number, "password": PASSWORD}, headers=AWAY)), (
        "the sixth try must wait"
    )
    for _ in range(20):  # hammering while refused does not push the wait out, and is never checked
        assert _waits(attacker.post("/login", {"login": number, "password": "wrong-one-1"}, headers=AWAY))
    owner = harness.client("alpha")
    assert owner.post("/login", {"login": number, "password": PASSWORD}, headers=HOME).status_code == 303
    # the attacker's waits grow: 30 s after the fifth failure, then 60 s, then 120 s ...
    clock.move(seconds=31)
    assert not _waits(attacker.post("/login", {"login": number, "password": "wrong-one-2"}, headers=AWAY))
    clock.move(seconds=59)
    assert _waits(attacker.post("/login", {"login": number, "password": PASSWORD}, headers=AWAY))
    clock.move(seconds=2)
    assert attacker.post("/login", {"login": number, "password": PASSWORD}, headers=AWAY).status_code == 303


def test_the_account_wide_limit_only_slows(hall_factory, monkeypatch):
    """Guesses from many addresses slow the account from new addresses a little; its usual address is never slowed."""
    harness = _behind_proxy(hall_factory)
    clock = MovableClock(monkeypatch)
    customer = make_customer(25)
    register_customer(harness, "alpha", customer)
    number = customer.numbers[0].number
    harness.client("alpha").login_customer(number)  # from its usual address, the test client's own
    botnet = harness.client("alpha")
    for i in range(50):
        botnet.post("/login", {"login": number, "password": "wrong-one-1"}, headers={"x-forwarded-for": f"192.0.2.{i}"})
    assert _waits(
        botnet.post("/login", {"login": number, "password": "wrong-one-1"}, headers={"x-forwarded-for": "192.0.2.200"})
    )
    harness.client("alpha").login_customer(number)  # the usual address: no wait
    new_phone = {"x-forwarded-for": "198.51.100.77"}
    assert _waits(harness.client("alpha").post("/login", {"login": number, "password": PASSWORD}, headers=new_phone))
    clock.move(seconds=61)  # at most login_account_max_wait_seconds
    assert (
        harness.client("alpha").post("/login", {"login": number, "password": PASSWORD}, headers=new_phone).status_code
        == 303
    )


def test_operators_admin_cannot_be_locked_out(hall_factory, monkeypatch):
    harness = _behind_proxy(hall_factory)
    MovableClock(monkeypatch)
    add_operator(harness, "alpha", "admin")
    harness.client("alpha").post("/console/login", {"username": "admin", "password": PASSWORD}, headers=HOME)
    attacker = harness.client("alpha")
    for _ in range(10):
        attacker.post("/console/login", {"username": "admin", "password": "wrong-one-1"}, headers=AWAY)
    assert _waits(attacker.post("/console/login", {"username": "admin", "password": PASSWORD}, headers=AWAY))
    admin = harness.client("alpha")
    assert admin.post("/console/login", {"username": "admin", "password": PASSWORD}, headers=HOME).status_code == 303


def test_a_wrong_current_password_counts_like_a_failed_log_in(hall, monkeypatch):
    MovableClock(monkeypatch)
    customer = _registered(hall, 26)
    client = hall.client("alpha")
    client.login_customer(customer.numbers[0].number)
    for _ in range(5):
        client.post(
            "/account/password", {"current": "not-it-123", "password": "NewPassw0rd", "password_confirm": "NewPassw0rd"}
        )
    r = client.post(
        "/account/password", {"current": PASSWORD, "password": "NewPassw0rd", "password_confirm": "NewPassw0rd"}
    )
    assert (
        r.status_code == 400 and 'id="current-error"' in r.text and any("之后再试" in e for e in field_errors(r.text))
    )


def test_throttled_per_address_across_accounts(hall):
    client = hall.client("alpha")
    for i in range(20):
        client.post("/login", {"login": f"1390000{i:04d}", "password": "wrong-one-1"})
    customer = _registered(hall, 23)
    r = client.post("/login", {"login": customer.numbers[0].number, "password": PASSWORD})
    assert r.status_code == 400, "twenty failures from one address must throttle that address"


def test_logout_ends_the_session_in_the_database(hall):
    customer = _registered(hall)
    client = hall.client("alpha")
    client.login_customer(customer.numbers[0].number)
    assert client.get("/account").status_code == 200
    client.post("/logout")
    assert client.get("/account", follow_redirects=False).status_code == 303
    assert hall.in_tenant("alpha", lambda: Session.count()) == 0


def test_session_survives_a_restart(hall):
    customer = _registered(hall)
    client = hall.client("alpha")
    client.login_customer(customer.numbers[0].number)
    cookies = dict(client.http.cookies)
    restarted = hall.client("alpha")  # a new app instance: another worker, or after a restart
    for name, value in cookies.items():
        restarted.http.cookies.set(name, value)
    assert customer.name in restarted.get("/account").text


def test_password_change_logs_out_other_sessions(hall):
    customer = _registered(hall)
    number = customer.numbers[0].number
    phone_a, phone_b = hall.client("alpha"), hall.client("alpha")
    phone_a.login_customer(number)
    phone_b.login_customer(number)
    bad = phone_a.post(
        "/account/password", {"current": "not-it-123", "password": "NewPassw0rd", "password_confirm": "NewPassw0rd"}
    )
    assert bad.status_code == 400 and 'id="current-error"' in bad.text
    ok = phone_a.post(
        "/account/password", {"current": PASSWORD, "password": "NewPassw0rd", "password_confirm": "NewPassw0rd"}
    )
    assert ok.status_code == 200
    assert phone_a.get("/account").status_code == 200
    assert phone_b.get("/account", follow_redirects=False).status_code == 303
    hall.client("alpha").login_customer(number, "NewPassw0rd")


def test_reset_by_one_time_code(hall):
    customer = _registered(hall)
    client = hall.client("alpha")
    page = client.post("/reset", {"login": customer.numbers[0].number, "channel": "sms"})
    assert page.status_code == 200
    code = last_sms_code(hall, "alpha", customer.phone)
    weak = client.post(
        "/reset/verify", {"flow": flow_of(page.text), "code": code, "password": "short", "password_confirm": "short"}
    )
    assert weak.status_code == 400 and 'id="password-error"' in weak.text
    done = client.post(
        "/reset/verify",
        {"flow": flow_of(page.text), "code": code, "password": "Brand-new-1", "password_confirm": "Brand-new-1"},
    )
    assert done.status_code == 200
    hall.client("alpha").login_customer(customer.numbers[0].number, "Brand-new-1")


def test_reset_does_not_reveal_whether_an_account_exists(hall):
    client = hall.client("alpha")
    unknown = client.post("/reset", {"login": "13999999999", "channel": "sms"})
    customer = _registered(hall)
    known = client.post("/reset", {"login": customer.numbers[0].number, "channel": "sms"})
    assert unknown.status_code == known.status_code == 200
    assert 'name="flow"' in unknown.text and 'name="flow"' in known.text


def test_every_form_post_needs_the_csrf_token(hall):
    customer = _registered(hall)
    client = hall.client("alpha")
    client.get("/login")
    r = client.post("/login", {"login": customer.numbers[0].number, "password": PASSWORD}, csrf=False)
    assert r.status_code == 403
    assert "刷新" in r.text  # the page explains, in the user's language
    forged = client.post("/login", {"login": customer.numbers[0].number, "password": PASSWORD, "_csrf_token": "forged"})
    assert forged.status_code == 403


def test_forms_carry_the_csrf_token_in_their_html(hall):
    """What a browser submits is the hidden field: it must hold the token, not an empty string."""
    client = hall.client("alpha")
    page = client.get("/signup")
    assert 'name="_csrf_token" value=""' not in page.text
    assert 'name="_csrf_token" value="' in page.text


def test_throttling_behind_a_trusted_proxy_uses_the_forwarded_address(hall_factory):
    from core.testing import TenantSpec

    harness = hall_factory([TenantSpec("alpha")], deployment={"server": {"trusted_proxies": ["10.0.0.0/8"]}})
    client = harness.client("alpha", peer="10.0.0.2")
    for i in range(20):  # twenty failures from one customer behind the proxy
        client.post(
            "/login",
            {"login": f"1390000{i:04d}", "password": "wrong-one-1"},
            headers={"x-forwarded-for": "203.0.113.7"},
        )
    customer = make_customer(24)
    register_customer(harness, "alpha", customer)
    blocked = client.post(
        "/login",
        {"login": customer.numbers[0].number, "password": PASSWORD},
        headers={"x-forwarded-for": "203.0.113.7"},
    )
    assert blocked.status_code == 400
    other = client.post(
        "/login",
        {"login": customer.numbers[0].number, "password": PASSWORD},
        headers={"x-forwarded-for": "198.51.100.9"},
    )
    assert other.status_code == 303, "another client behind the same proxy is not throttled"
