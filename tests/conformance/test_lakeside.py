"""An unfamiliar legacy schema goes live by its tenant.toml alone (docs/examples/connector-lakeside.toml).

The lakeside database (lakeside_legacy.py) is hand-written SQL with Faker
data. Its tenant folder holds the documented example file verbatim - on
PostgreSQL only the ``url`` line differs - and then: the connector passes the
conformance kit, ``hall check`` is clean, ``hall sync`` brings customers,
bills and calls, and a customer signs up with number, name and ID number and
sees their numbers on /account.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner
from conformance_legacy import ENGINES, REPO, LegacyOnEngine, need_engine, tenant_connector
from lakeside_legacy import DIRTY, create_lakeside_db

from core.cli import cli
from core.legacy.billing_tables import Bill, BillItem, CallRecord, Quarantine
from core.notify.tables import Message
from core.testing import HallHarness, field_errors, write_hall
from core.testing.conformance import BrokenMapping, ConnectorConformance
from core.testing.fixtures import build_hall

EXAMPLE = REPO / "docs" / "examples" / "connector-lakeside.toml"
URL_LINE = re.compile(r'^url = "sqlite:///var/legacy/lakeside.sqlite3".*$', re.M)


def truth(path: Path) -> dict[str, set[str]]:
    """The legacy ids the lakeside database holds, read with plain SQL (what the connector must hand out)."""
    with closing(sqlite3.connect(path)) as conn:
        months = [
            r[0][4:] for r in conn.execute("SELECT name FROM sqlite_master WHERE name LIKE 'CDR_%' AND type = 'table'")
        ]
        return {
            "customers": {f"{r}/{n}" for r, n in conn.execute("SELECT REGION_CD, CUST_NO FROM CUST_MST")},
            "bills": {str(s) for (s,) in conn.execute("SELECT BILL_SEQ FROM BILL_HDR")},
            "calls": {f"{m}-{s}" for m in months for (s,) in conn.execute(f"SELECT CDR_SEQ FROM CDR_{m}")},
        }


@pytest.fixture(params=ENGINES)
def lakeside(request, tmp_path) -> LegacyOnEngine:
    """The lakeside legacy database at the example's path under ``tmp_path`` (copied to PostgreSQL for that run)."""
    need_engine(request.param)
    legacy = LegacyOnEngine(
        tmp_path, request.param, tenant_connector(EXAMPLE), tmp_path / "tenants" / "lakeside" / "tenant.toml"
    )
    legacy.path = tmp_path / "var" / "legacy" / "lakeside.sqlite3"
    legacy.people = create_lakeside_db(legacy.path)
    asyncio.run(legacy.start())
    yield legacy
    asyncio.run(legacy.stop())


class TestLakesideConformance(ConnectorConformance):
    dirty_ids = DIRTY  # a customer with a mistyped ID number, a refund with a negative charge

    @pytest.fixture
    def connector_factory(self, lakeside):
        return lakeside.connector

    @pytest.fixture
    def legacy_ids(self, lakeside):
        return truth(lakeside.path)

    @pytest.fixture
    def broken_mapping(self, lakeside) -> BrokenMapping:
        return BrokenMapping(
            lakeside.connector(calls={"charge": "CHRG_FEE"}),
            lakeside.tenant_file,
            "connector.calls.charge",
            ("CHRG_FEE",),
        )

    @pytest.fixture
    def unreachable_connector(self, lakeside):
        return lakeside.unreachable()

    @pytest.fixture
    def writeback_effects(self, lakeside):
        return lambda event_id: lakeside.inbox_count("HALL_EVT_IN", "EVT_ID", event_id)


def write_tenant(root: Path, legacy: LegacyOnEngine, hall_url: str, mail_port: int) -> Path:
    """hall.toml for a test hall, and tenants/lakeside/tenant.toml = the documented example (URL aside)."""
    config = write_hall(root, [], database_url=hall_url, mail_port=mail_port)
    text = EXAMPLE.read_text(encoding="utf-8")
    if legacy.engine == "postgres":
        text = URL_LINE.sub(f'url = "{legacy.config["url"]}"', text)
    legacy.tenant_file.parent.mkdir(parents=True, exist_ok=True)
    legacy.tenant_file.write_text(text, encoding="utf-8")
    return config


def sms_code(harness: HallHarness, phone: str) -> str:
    async def last():
        return (
            await Message.select(Message.body_text)
            .where((Message.channel == "sms") & (Message.recipient == phone))
            .order_by(Message.id, ascending=False)
            .first()
        )

    row = harness.in_tenant("lakeside", last)
    assert row, f"no SMS to {phone}"
    return re.search(r"\b(\d{6})\b", row["body_text"]).group(1)


def test_lakeside_goes_live_by_its_tenant_toml_alone(lakeside, tmp_path, hall_databases, mail_sink, monkeypatch):
    hall_url = hall_databases.fresh(tmp_path)
    try:
        config = write_tenant(tmp_path, lakeside, hall_url, mail_sink.port)
        monkeypatch.setenv("HALL_CONFIG", str(config))
        monkeypatch.setenv("COLUMNS", "400")  # rich would wrap long lines
        runner = CliRunner()
        checked = runner.invoke(cli, ["check"])
        assert checked.exit_code == 0, checked.output
        synced = runner.invoke(cli, ["sync"])
        output = " ".join(synced.output.split())
        assert synced.exit_code == 0, output
        ids = truth(lakeside.path)
        assert re.search(
            f"lakeside: customers: {len(ids['customers'])} fetched, \\d+ written, 1 (rejected|quarantined)", output
        ), output
        assert f"lakeside: bills: {len(ids['bills'])} fetched, {len(ids['bills'])} upserted, 0 quarantined" in output
        assert (
            f"lakeside: calls: {len(ids['calls'])} fetched, {len(ids['calls']) - 1} upserted, 1 quarantined" in output
        )

        hall, connectors = build_hall(config)
        harness = HallHarness(hall, connectors)
        try:
            assert harness.in_tenant("lakeside", lambda: CallRecord.count()) == len(ids["calls"]) - 1
            [refund] = harness.in_tenant(
                "lakeside",
                lambda: Quarantine.select(Quarantine.legacy_id, Quarantine.reason).where(Quarantine.kind == "calls"),
            )
            assert refund["legacy_id"] in DIRTY["calls"] and "negative" in refund["reason"]
            bill = harness.in_tenant("lakeside", lambda: Bill.select().order_by(Bill.legacy_id).first())
            items = harness.in_tenant(
                "lakeside", lambda: BillItem.select().where(BillItem.bill_legacy_id == bill["legacy_id"])
            )
            assert bill["month"] in ("2024-04", "2024-05") and bill["amount_fen"] % 10 == 0  # jiao became fen
            assert sum(i["amount_fen"] for i in items) == bill["amount_fen"]

            person = next(p for p in lakeside.people if len(p.numbers) > 1)
            client = harness.client("lakeside")
            page = client.post(
                "/signup",
                {"number": person.numbers[0], "name": person.name, "id_number": person.id_number, "channel": "sms"},
            )
            assert page.status_code == 200, field_errors(page.text)
            flow = re.search(r'name="flow" value="([^"]+)"', page.text).group(1)
            done = client.post(
                "/signup/verify",
                {
                    "flow": flow,
                    "code": sms_code(harness, person.phone),
                    "password": "Passw0rd!test",
                    "password_confirm": "Passw0rd!test",
                },
            )
            assert done.status_code == 303 and done.headers["location"].startswith("/account"), field_errors(done.text)
            account = client.get("/account").text
            assert person.name in account and person.id_number not in account
            assert all(number in account for number in person.numbers), "every number of the customer is on /account"
        finally:
            harness.close()
    finally:
        hall_databases.drop(hall_url)
