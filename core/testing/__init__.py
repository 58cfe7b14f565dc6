"""Test helpers for the core and for plugin authors (see docs/testing.md).

In a plugin's tests::

    pytest_plugins = ["core.testing.fixtures"]

    def test_my_page(hall_factory):
        harness = hall_factory([TenantSpec("alpha", plugins=["myplugin"])], extra_plugins={"myplugin": myplugin})
        client = harness.client("alpha")
        assert client.get("/myplugin/").status_code == 200
"""

from core.testing.fakes import FakeBalanceConnector, FakeConnector, FakeConnectorPlugin, make_customer, make_id_number
from core.testing.harness import PASSWORD, HallHarness, TenantClient, TenantSpec, field_errors, write_hall
from core.testing.mail import MailSink
from core.testing.setup_data import add_billing_account, add_operator, add_superadmin, register_customer, sync

__all__ = [
    "PASSWORD",
    "FakeBalanceConnector",
    "FakeConnector",
    "FakeConnectorPlugin",
    "HallHarness",
    "MailSink",
    "TenantClient",
    "TenantSpec",
    "add_billing_account",
    "add_operator",
    "add_superadmin",
    "field_errors",
    "make_customer",
    "make_id_number",
    "register_customer",
    "sync",
    "write_hall",
]
