from core.testing import make_customer, register_customer


def test_customer_logs_in_and_sees_account(hall):
    customer = make_customer(1)
    register_customer(hall, "alpha", customer)
    client = hall.client("alpha")
    client.login_customer(customer.numbers[0].number)
    page = client.get("/account")
    assert page.status_code == 200
    assert customer.name in page.text
