"""Limits on one-time codes: sends per destination/customer/address with growing waits and a daily cap; guesses per customer."""

from core.testing import PASSWORD, field_errors, make_customer, register_customer, sync
from identity_steps import MovableClock, finish_signup, flow_of, last_sms_code, sms_count, start_signup


def _synced(hall, n):
    customer = make_customer(n)
    hall.connectors["alpha"].customers.append(customer)
    sync(hall, "alpha")
    return customer


def _asked_too_soon(response) -> bool:
    return response.status_code == 400 and any("之后再获取" in e for e in field_errors(response.text))


def test_232_sign_up_requests_in_seconds_send_one_sms_and_ten_a_day_at_most(hall, monkeypatch):
    """The incident: 232 SMS reached one customer within seconds. Now: one, then growing waits, at most 10 a day."""
    clock = MovableClock(monkeypatch)
    customer = _synced(hall, 31)
    client = hall.client("alpha")
    refused = 0
    for _ in range(232):
        r = start_signup(client, customer)
        refused += _asked_too_soon(r)
        clock.move(milliseconds=100)
    assert sms_count(hall, "alpha", customer.phone) == 1
    assert refused == 231
    # resend waits: 60 s after the first code, then 120 s, 240 s ...
    clock.move(seconds=37)  # 60 s after the first
    assert start_signup(client, customer).status_code == 200
    clock.move(seconds=119)
    assert _asked_too_soon(start_signup(client, customer))
    clock.move(seconds=1)
    assert start_signup(client, customer).status_code == 200
    # asking every hour and a bit, the tenth code of the day is the last one
    for _ in range(20):
        clock.move(minutes=61)
        start_signup(client, customer)
    assert sms_count(hall, "alpha", customer.phone) == 10
    clock.move(hours=24)
    assert start_signup(client, customer).status_code == 200


def test_the_wait_message_says_when_to_ask_again_in_english_too(hall, monkeypatch):
    MovableClock(monkeypatch)
    customer = _synced(hall, 32)
    client = hall.client("alpha")
    client.post("/language", {"language": "en", "next": "/signup"})
    assert start_signup(client, customer).status_code == 200
    again = start_signup(client, customer)
    assert again.status_code == 400
    assert any(e.startswith("A code was sent a moment ago") and "after" in e for e in field_errors(again.text)), (
        field_errors(again.text)
    )


def test_limits_are_per_customer_across_flows(hall, monkeypatch):
    """Reset and sign-up codes to one customer share the customer's limits."""
    MovableClock(monkeypatch)
    customer = make_customer(33)
    register_customer(hall, "alpha", customer)
    client = hall.client("alpha")
    assert client.post("/reset", {"login": customer.numbers[0].number, "channel": "sms"}).status_code == 200
    again = client.post(
        "/reset", {"login": customer.numbers[0].number, "channel": "email"}
    )  # another destination, same customer
    assert _asked_too_soon(again)
    assert sms_count(hall, "alpha", customer.phone) == 1


def test_unknown_log_in_names_get_the_same_limits_on_reset(hall, monkeypatch):
    MovableClock(monkeypatch)
    client = hall.client("alpha")
    assert client.post("/reset", {"login": "13999999999", "channel": "sms"}).status_code == 200
    assert _asked_too_soon(client.post("/reset", {"login": "13999999999", "channel": "sms"}))


def test_one_address_asking_for_many_customers_is_capped(hall, monkeypatch):
    MovableClock(monkeypatch)
    client = hall.client("alpha")
    for n in range(20):
        assert client.post("/reset", {"login": f"1380000{n:04d}", "channel": "sms"}).status_code == 200
    assert _asked_too_soon(client.post("/reset", {"login": "13800009999", "channel": "sms"}))


def test_new_codes_do_not_buy_new_guesses(hall, monkeypatch):
    """Each code allows 5 guesses, and a customer 10 wrong guesses a day across all codes."""
    clock = MovableClock(monkeypatch)
    customer = _synced(hall, 34)
    client = hall.client("alpha")
    for _ in range(2):
        flow = flow_of(start_signup(client, customer).text)
        real = last_sms_code(hall, "alpha", customer.phone)
        wrong = "000000" if real != "000000" else "111111"
        for _ in range(5):
            assert finish_signup(client, flow, wrong).status_code == 400
        clock.move(minutes=10)
    flow = flow_of(start_signup(client, customer).text)
    right = finish_signup(client, flow, last_sms_code(hall, "alpha", customer.phone))
    assert right.status_code == 400 and any("输错次数过多" in e and "之后再试" in e for e in field_errors(right.text))
    clock.move(hours=24)
    flow = flow_of(start_signup(client, customer).text)
    assert finish_signup(client, flow, last_sms_code(hall, "alpha", customer.phone)).status_code == 303
    hall.client("alpha").login_customer(customer.numbers[0].number, PASSWORD)
