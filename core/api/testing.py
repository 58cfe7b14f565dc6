"""Test helpers for plugin authors (docs/testing.md): a hall on throw-away databases with fake connectors,
clients per tenant, customers and operators, a mail sink, and a fake payment provider.

The fixtures (``hall_factory``, ``hall``, ``mail_sink``…) come with ``pytest_plugins = ["core.testing.fixtures"]``.
"""

from core.testing import (
    PASSWORD, FakeConnector, FakeConnectorPlugin, HallHarness, MailSink, TenantClient, TenantSpec, add_operator,
    add_superadmin, field_errors, make_customer, make_id_number, register_customer, sync, write_hall,
)
from core.testing.fixtures import build_hall
from core.testing.payments import FakePaymentPlugin, FakeProvider

__all__ = [
    "PASSWORD", "FakeConnector", "FakeConnectorPlugin", "FakePaymentPlugin", "FakeProvider", "HallHarness", "MailSink",
    "TenantClient", "TenantSpec", "add_operator", "add_superadmin", "build_hall", "field_errors", "make_customer",
    "make_id_number", "register_customer", "sync", "write_hall",
]
