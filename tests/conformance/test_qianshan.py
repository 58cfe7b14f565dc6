"""The qianshan tenant (tenants/qianshan) as the sqlbss connector maps it today: customers and their lines.

Its BSS is the generated qianshan one (core/demo/qianshan.py). What the mapping
holds today passes the conformance kit on SQLite, PostgreSQL and MariaDB;
``hall check`` is clean, ``hall sync`` brings the customers, a demo customer
signs up with the printed mobile number, name and ID number, and after a day
of upstream changes the next sync has every customer change - the
late-stamped address too, through the look-back - and the change
reconciliation the closed line (T_USER has its own change time, which the
mapping cannot name yet). Bills, calls, accounts, balances and the write-back
wait for the connector's features (the tenant's ``# NEEDS`` blocks).
"""

from __future__ import annotations

import asyncio
import re
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner
from conformance_legacy import ENGINES, REPO, LegacyOnEngine, need_engine, tenant_connector

from core.auth.tables import Customer, ServiceNumber
from core.cli import cli
from core.demo.era import FIXED_END_MONTH
from core.demo.qianshan import generate_qianshan_db
from core.demo.qianshan_day import day_of_changes
from core.hall import Hall
from core.notify.tables import Message
from core.testing import HallHarness, field_errors, write_hall
from core.testing.conformance import BrokenMapping, ConnectorConformance
from core.testing.fixtures import build_hall
from plugins.alipay.sandbox.prepare import ensure_sandbox
from plugins.wechatpay.sandbox.prepare import ensure_sandbox as ensure_wechatpay_sandbox

TENANT = REPO / "tenants" / "qianshan"
URL_LINE = re.compile(r'^url = "sqlite:///var/legacy/qianshan.sqlite3"$', re.M)


def customer_ids(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as conn:
        return {str(c) for (c,) in conn.execute("SELECT CUST_ID FROM T_CUST")}


@pytest.fixture(params=ENGINES)
def qianshan(request, tmp_path) -> LegacyOnEngine:
    """The qianshan BSS at the tenant's path under ``tmp_path`` (copied to PostgreSQL or MariaDB for those runs)."""
    need_engine(request.param)
    legacy = LegacyOnEngine(
        tmp_path,
        request.param,
        tenant_connector(TENANT / "tenant.toml"),
        tmp_path / "tenants" / "qianshan" / "tenant.toml",
    )
    legacy.path = tmp_path / "var" / "legacy" / "qianshan.sqlite3"
    legacy.sample = generate_qianshan_db(legacy.path, end_month=FIXED_END_MONTH, seed=11, customers=30, months=2)
    asyncio.run(legacy.start())
    yield legacy
    asyncio.run(legacy.stop())


class TestQianshanConformance(ConnectorConformance):
    @pytest.fixture
    def connector_factory(self, qianshan):
        return qianshan.connector

    @pytest.fixture
    def legacy_ids(self, qianshan):
        return {"customers": customer_ids(qianshan.path)}

    @pytest.fixture
    def broken_mapping(self, qianshan) -> BrokenMapping:
        return BrokenMapping(
            qianshan.connector(customers={"address": "ADDR"}),
            qianshan.tenant_file,
            "connector.customers.address",
            ("T_CUST", "ADDR"),
        )

    @pytest.fixture
    def unreachable_connector(self, qianshan):
        return qianshan.unreachable()


def write_tenant(root: Path, legacy: LegacyOnEngine, hall_url: str, mail_port: int) -> Path:
    """hall.toml for a test hall, and tenants/qianshan = the repository's folder (the URL pointing at the copy)."""
    config = write_hall(root, [], database_url=hall_url, mail_port=mail_port)
    shutil.copytree(TENANT, legacy.tenant_file.parent)
    if legacy.engine != "sqlite":
        text = URL_LINE.sub(f'url = "{legacy.config["url"]}"', legacy.tenant_file.read_text(encoding="utf-8"))
        legacy.tenant_file.write_text(text, encoding="utf-8")
    ensure_sandbox(Hall.from_config(config, connect_tenants=False))  # the Alipay keys, as `hall demo` writes them
    ensure_wechatpay_sandbox(Hall.from_config(config, connect_tenants=False))  # and WeChat Pay's
    return config


def legacy_target(legacy: LegacyOnEngine) -> str:
    """Where the day of changes goes: the database the tenant reads."""
    return str(legacy.path) if legacy.engine == "sqlite" else legacy.config["url"]


def sign_up(harness: HallHarness, customer) -> None:
    client = harness.client("qianshan")
    page = client.post(
        "/signup",
        {"number": customer.numbers[0], "name": customer.name, "id_number": customer.id_number, "channel": "sms"},
    )
    assert page.status_code == 200, field_errors(page.text)
    flow = re.search(r'name="flow" value="([^"]+)"', page.text).group(1)
    sms = harness.in_tenant(
        "qianshan",
        lambda: (
            Message.select(Message.body_text)
            .where((Message.channel == "sms") & (Message.recipient == customer.phone))
            .order_by(Message.id, ascending=False)
            .first()
        ),
    )
    code = re.search(r"\b(\d{6})\b", sms["body_text"]).group(1)
    form = {"flow": flow, "code": code, "password": "Passw0rd!test", "password_confirm": "Passw0rd!test"}
    done = client.post("/signup/verify", form)
    assert done.status_code == 303 and done.headers["location"].startswith("/account"), field_errors(done.text)
    account = client.get("/account").text
    assert customer.name in account and customer.numbers[0] in account


def test_qianshan_goes_live_and_survives_a_day_of_changes(qianshan, tmp_path, hall_databases, mail_sink, monkeypatch):
    hall_url = hall_databases.fresh(tmp_path)
    try:
        config = write_tenant(tmp_path, qianshan, hall_url, mail_sink.port)
        monkeypatch.setenv("HALL_CONFIG", str(config))
        monkeypatch.setenv("COLUMNS", "400")  # rich would wrap long lines
        runner = CliRunner()
        checked = runner.invoke(cli, ["check"])
        assert checked.exit_code == 0, checked.output
        synced = runner.invoke(cli, ["sync"])
        output = " ".join(synced.output.split())
        assert synced.exit_code == 0, output
        assert re.search(r"qianshan: customers: 30 fetched, \d+ written, 0 quarantined", output), output

        hall, connectors = build_hall(config)
        harness = HallHarness(hall, connectors)
        try:
            sign_up(harness, qianshan.sample[0])
        finally:
            harness.close()

        day = day_of_changes(legacy_target(qianshan), seed=2)
        again = runner.invoke(cli, ["sync"])
        assert again.exit_code == 0, again.output
        reconciled = runner.invoke(cli, ["sync", "reconcile", "--tenant", "qianshan", "--kind", "customers"])
        assert reconciled.exit_code == 0, reconciled.output

        hall, connectors = build_hall(config)
        harness = HallHarness(hall, connectors)
        try:
            rows = harness.in_tenant(
                "qianshan", lambda: Customer.select(Customer.legacy_id, Customer.name, Customer.address)
            )
            customers = {r["legacy_id"]: r for r in rows}
            assert all(customers[c]["address"] == address for c, address in day.moved.items())
            assert all(customers[c]["name"] == name for c, name in day.renamed.items())
            assert customers[day.new_customer.legacy_id]["name"] == day.new_customer.name
            numbers = {
                r["number"]: r["status"]
                for r in harness.in_tenant(
                    "qianshan", lambda: ServiceNumber.select(ServiceNumber.number, ServiceNumber.status)
                )
            }
            assert numbers[day.new_customer.numbers[0]] == "active"
            [closed] = day.closed_numbers
            # T_USER alone changed (numbers.changed): the removed line left the mapping (where_not REMOVE_TAG) and
            # the sync took it away from its customer
            assert numbers.get(closed, "closed") == "closed"
        finally:
            harness.close()
    finally:
        hall_databases.drop(hall_url)
