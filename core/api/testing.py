"""Test helpers for plugin authors (docs/testing.md): a hall on throw-away databases with fake connectors,
clients per tenant, customers and operators, a mail sink, a fake payment provider, the connector conformance kit, migrating an extra
plugin's tables, running a job now, and killing hall code in a child process (``crash``).

The fixtures (``hall_factory``, ``hall``, ``mail_sink``…) come with the hall's pytest plugin (the ``pytest11`` entry
point ``core.testing.fixtures``, active wherever the hall is installed). ``check_plugin`` lists what a plugin does against
the rules of docs/plugins.md.
"""

from core.db.migrate import migrate
from core.plugin_rules.check import check_plugin
from core.jobs import make_runner
from core.testing import (
    PASSWORD,
    FakeBalanceConnector,
    FakeConnector,
    FakeConnectorPlugin,
    HallHarness,
    MailSink,
    TenantClient,
    TenantSpec,
    add_billing_account,
    add_operator,
    add_superadmin,
    field_errors,
    make_customer,
    make_id_number,
    register_customer,
    sync,
    write_hall,
)
from core.testing import crash
from core.testing.budgets import RequestCost, measure_requests
from core.testing.conformance import BrokenMapping, ConnectorConformance, ConnectorRun
from core.testing.fixtures import build_hall
from core.testing.payments import FakePaymentPlugin, FakeProvider

__all__ = [
    "RequestCost",
    "measure_requests",
    "PASSWORD",
    "BrokenMapping",
    "ConnectorConformance",
    "ConnectorRun",
    "FakeBalanceConnector",
    "FakeConnector",
    "FakeConnectorPlugin",
    "FakePaymentPlugin",
    "FakeProvider",
    "HallHarness",
    "MailSink",
    "TenantClient",
    "TenantSpec",
    "add_billing_account",
    "add_operator",
    "add_superadmin",
    "build_hall",
    "check_plugin",
    "crash",
    "field_errors",
    "make_customer",
    "make_id_number",
    "make_runner",
    "migrate",
    "register_customer",
    "sync",
    "write_hall",
]
