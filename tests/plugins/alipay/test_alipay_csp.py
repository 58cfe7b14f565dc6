"""The pay button's redirect to Alipay is a form navigation: the hall's CSP form-action allows the tenant's gateway, no other."""

from __future__ import annotations

import urllib.parse

import alipay_shop
from alipay_support import alipay_tenant_settings, write_secrets
from core.testing import TenantSpec, make_customer, register_customer

GATEWAY = "http://127.0.0.1:8020/gateway.do"


def _form_action(response) -> list[str]:
    policy = response.headers["content-security-policy"]
    directive = next(d.strip() for d in policy.split(";") if d.strip().startswith("form-action"))
    return directive.split()[1:]


def test_form_action_allows_the_tenants_gateway_only_where_it_takes_alipay(hall_factory):
    harness = hall_factory(
        [
            TenantSpec(
                "alpha",
                plugins=["alishop"],
                payments={"providers": ["alipay"]},
                plugin_settings=alipay_tenant_settings(GATEWAY),
            ),
            TenantSpec("beta"),
        ],
        extra_plugins={"alishop": alipay_shop},
    )
    write_secrets(harness.hall.settings.config_file, "alpha")
    customer = make_customer(1)
    register_customer(harness, "alpha", customer)
    client = harness.client("alpha")
    client.login_customer(customer.numbers[0].number)
    page = client.get("/")
    assert _form_action(page) == ["'self'", "http://127.0.0.1:8020"]
    bought = client.post("/alishop/buy/card50")
    assert bought.status_code == 303
    target = urllib.parse.urlsplit(bought.headers["location"])
    assert f"{target.scheme}://{target.netloc}" in _form_action(bought), "the redirect after the pay form is allowed"
    assert _form_action(harness.client("beta").get("/")) == ["'self'"]
