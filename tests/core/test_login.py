"""Log-in, throttling, log-out, password change and reset, sessions that survive a restart, CSRF."""

from core.auth.tables import Session
from core.testing import PASSWORD, field_errors, make_customer, register_customer
from identity_steps import flow_of, last_sms_code


def _registered(hall, n=21, **kw):
    customer = make_customer(n, **kw)
    register_customer(hall, "alpha", customer)
    return customer


def test_wrong_password_is_a_field_error(hall):
    customer = _registered(hall)
    r = hall.client("alpha").post("/login", {"login": customer.numbers[0].number, "password": "wrong-one-1"})
    assert r.status_code == 400
    assert field_errors(r.text) == ["登录名或密码不正确。"] or field_errors(r.text)


def test_throttled_per_account_even_with_the_right_password(hall):
    customer = _registered(hall)
    number = customer.numbers[0].number
    client = hall.client("alpha")
    for _ in range(5):
        assert client.post("/login", {"login": number, "password": "wrong-one-1"}).status_code == 400
    blocked = client.post("/login", {"login": number, "password": PASSWORD})
    assert blocked.status_code == 400
    assert "15" in " ".join(field_errors(blocked.text))  # "wait 15 minutes"
    # another account from the same address still logs in (the per-address limit is higher)
    other = _registered(hall, 22)
    client.login_customer(other.numbers[0].number)


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
    bad = phone_a.post("/account/password", {"current": "not-it-123", "password": "NewPassw0rd", "password_confirm": "NewPassw0rd"})
    assert bad.status_code == 400 and 'id="current-error"' in bad.text
    ok = phone_a.post("/account/password", {"current": PASSWORD, "password": "NewPassw0rd", "password_confirm": "NewPassw0rd"})
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
    weak = client.post("/reset/verify", {"flow": flow_of(page.text), "code": code, "password": "short", "password_confirm": "short"})
    assert weak.status_code == 400 and 'id="password-error"' in weak.text
    done = client.post("/reset/verify", {"flow": flow_of(page.text), "code": code, "password": "Brand-new-1", "password_confirm": "Brand-new-1"})
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
        client.post("/login", {"login": f"1390000{i:04d}", "password": "wrong-one-1"}, headers={"x-forwarded-for": "203.0.113.7"})
    customer = make_customer(24)
    register_customer(harness, "alpha", customer)
    blocked = client.post("/login", {"login": customer.numbers[0].number, "password": PASSWORD}, headers={"x-forwarded-for": "203.0.113.7"})
    assert blocked.status_code == 400
    other = client.post("/login", {"login": customer.numbers[0].number, "password": PASSWORD}, headers={"x-forwarded-for": "198.51.100.9"})
    assert other.status_code == 303, "another client behind the same proxy is not throttled"
