"""Real-name sign-up: identity matched against the legacy customer master, a code to the contact on file."""

from core.auth.tables import AccountNumber, CustomerAccount
from core.testing import PASSWORD, field_errors, make_customer, sync
from identity_steps import finish_signup, flow_of, last_sms_code, start_signup


def test_signup_by_sms_then_logged_in(hall):
    customer = make_customer(11)
    hall.connectors["alpha"].customers.append(customer)
    sync(hall, "alpha")
    client = hall.client("alpha")
    page = start_signup(client, customer, "sms")
    assert page.status_code == 200, field_errors(page.text)
    assert "139****" in page.text  # masked destination
    code = last_sms_code(hall, "alpha", customer.phone)
    done = finish_signup(client, flow_of(page.text), code)
    assert done.status_code == 303 and done.headers["location"].startswith("/account")
    account = client.get("/account")
    assert customer.name in account.text
    assert customer.id_number not in account.text
    assert customer.id_number[:6] + "********" + customer.id_number[-4:] in account.text


def test_signup_by_email_over_real_smtp(hall, mail_sink):
    customer = make_customer(12, email="shen12@example.com")
    hall.connectors["alpha"].customers.append(customer)
    sync(hall, "alpha")
    client = hall.client("alpha")
    page = start_signup(client, customer, "email")
    assert page.status_code == 200, field_errors(page.text)
    mail = mail_sink.wait_for("shen12@example.com")
    assert finish_signup(client, flow_of(page.text), mail_sink.code_in(mail)).status_code == 303
    # the account logs in by e-mail as well as by number
    other = hall.client("alpha")
    other.login_customer("shen12@example.com")
    assert customer.name in other.get("/account").text


def test_unsynced_number_is_looked_up_live(hall):
    customer = make_customer(13)
    hall.connectors["alpha"].customers.append(customer)  # not synced yet
    client = hall.client("alpha")
    page = start_signup(client, customer, "sms")
    assert page.status_code == 200, field_errors(page.text)
    assert f"by_number:{customer.numbers[0].number}" in hall.connectors["alpha"].calls


def test_mismatch_is_a_field_error_in_the_users_language(hall):
    customer = make_customer(14)
    hall.connectors["alpha"].customers.append(customer)
    sync(hall, "alpha")
    client = hall.client("alpha")
    wrong_name = client.post(
        "/signup",
        {"number": customer.numbers[0].number, "name": "别人", "id_number": customer.id_number, "channel": "sms"},
    )
    assert wrong_name.status_code == 400
    assert any("不符" in e or "不一致" in e or "核对" in e for e in field_errors(wrong_name.text)), field_errors(
        wrong_name.text
    )
    bad_checksum = client.post(
        "/signup",
        {
            "number": customer.numbers[0].number,
            "name": customer.name,
            "id_number": customer.id_number[:-1] + ("1" if customer.id_number[-1] != "1" else "2"),
            "channel": "sms",
        },
    )
    assert bad_checksum.status_code == 400
    assert 'id="id_number-error"' in bad_checksum.text
    # English when the user chose English
    client.post("/language", {"language": "en", "next": "/signup"})
    english = client.post("/signup", {"number": "", "name": "", "id_number": "", "channel": "sms"})
    assert "This field is required." in field_errors(english.text)


def test_wrong_code_then_lockout(hall):
    customer = make_customer(15)
    hall.connectors["alpha"].customers.append(customer)
    sync(hall, "alpha")
    client = hall.client("alpha")
    flow = flow_of(start_signup(client, customer).text)
    real = last_sms_code(hall, "alpha", customer.phone)
    wrong = "000000" if real != "000000" else "111111"
    for _ in range(5):
        r = finish_signup(client, flow, wrong)
        assert r.status_code == 400
    # the code is burnt after too many guesses, even the right one fails now
    assert finish_signup(client, flow, real).status_code == 400


def test_already_registered_customer_cannot_sign_up_twice(hall):
    from core.testing import register_customer

    customer = make_customer(16)
    register_customer(hall, "alpha", customer)
    r = start_signup(hall.client("alpha"), customer)
    assert r.status_code == 400
    assert field_errors(r.text)


def test_link_second_number_of_same_customer(hall):
    from core.testing import register_customer

    customer = make_customer(17, numbers=("13900000017", "057100000017"))
    stranger = make_customer(18)
    hall.connectors["alpha"].customers.append(stranger)
    account_id = register_customer(hall, "alpha", customer)
    client = hall.client("alpha")
    client.login_customer("13900000017")
    refused = client.post("/account/link", {"number": stranger.numbers[0].number, "id_number": customer.id_number})
    assert refused.status_code == 400
    ok = client.post("/account/link", {"number": "057100000017", "id_number": customer.id_number})
    assert ok.status_code == 303
    numbers = hall.in_tenant(
        "alpha", lambda: AccountNumber.select(AccountNumber.number).where(AccountNumber.account == account_id)
    )
    assert {n["number"] for n in numbers} == {"13900000017", "057100000017"}
    # and the second number logs in too
    hall.client("alpha").login_customer("057100000017")


def test_password_is_stored_as_argon2id(hall):
    from core.testing import register_customer

    customer = make_customer(19)
    register_customer(hall, "alpha", customer)
    row = hall.in_tenant("alpha", lambda: CustomerAccount.select(CustomerAccount.password_hash).first())
    assert row["password_hash"].startswith("$argon2id$")
    assert PASSWORD not in row["password_hash"]


def test_wrong_id_numbers_when_linking_are_capped(hall, monkeypatch):
    from core.testing import make_id_number, register_customer
    from identity_steps import MovableClock

    clock = MovableClock(monkeypatch)
    customer = make_customer(20, numbers=("13900000020", "057100000020"))
    register_customer(hall, "alpha", customer)
    client = hall.client("alpha")
    client.login_customer("13900000020")
    others = [make_id_number(900 + n) for n in range(6)]
    for id_number in others[:5]:
        assert client.post("/account/link", {"number": "057100000020", "id_number": id_number}).status_code == 400
    capped = client.post("/account/link", {"number": "057100000020", "id_number": customer.id_number})
    assert capped.status_code == 400 and any("之后再试" in e for e in field_errors(capped.text))
    clock.move(minutes=16)
    assert client.post("/account/link", {"number": "057100000020", "id_number": customer.id_number}).status_code == 303
