"""The qianshan tenant (tenants/qianshan) goes live from its tenant.toml alone and survives a day of changes.

Its BSS is the generated qianshan one (core/demo/qianshan.py), on SQLite,
PostgreSQL or MariaDB. The mapping passes the conformance kit; ``hall check``
is clean; ``hall sync`` brings customers, accounts with their lines (fixed
lines with their area code), bills of whole accounts whose items name the line
and add up, and call records; a demo customer signs up. After a day of
upstream changes the next sync has every change of the day's summary: the
late-stamped settlements (through the look-back), the re-rated bill, new
calls, the new customer with account and line, the removed line gone. A bill
payment and a top-up, delivered twice from the outbox, are one T_PAYLOG row
each, and the payments port reads them back with the hall's payment id.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import decimal
import re
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner
from conformance_legacy import ENGINES, REPO, LegacyOnEngine, need_engine, tenant_connector
from qianshan_hall import HallView, bill_cycle, pay_and_top_up, paylog_rows, paylog_serials, payments_read_back

from core.auth.tables import Customer
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
            went_live(HallView(harness))
            sign_up(harness, qianshan.sample[0])
        finally:
            harness.close()

        target = legacy_target(qianshan)
        day = day_of_changes(target, seed=2)
        again = runner.invoke(cli, ["sync"])
        assert again.exit_code == 0, again.output
        reconciled = runner.invoke(cli, ["sync", "reconcile", "--tenant", "qianshan", "--kind", "customers"])
        assert reconciled.exit_code == 0, reconciled.output  # the late-stamped address: see survived_the_day

        hall, connectors = build_hall(config)
        harness = HallHarness(hall, connectors)
        try:
            survived_the_day(harness, HallView(harness), day)
            wrote_back(harness, HallView(harness), day, target)
        finally:
            harness.close()
    finally:
        hall_databases.drop(hall_url)


def went_live(view: HallView) -> None:
    """Accounts with their lines, bills of whole accounts whose items name the line and add up, call records."""
    assert view.accounts and all(a["customer_legacy_id"] for a in view.accounts.values())
    assert all(view.numbers[n]["account_legacy_id"] in view.accounts for n in view.numbers)
    assert any(2 <= len(view.numbers_of(a)) <= 3 for a in view.accounts), "no account covers several lines"
    assert any(len(n) == 11 and n.startswith("0") for n in view.numbers), "no fixed line with its area code"
    assert view.bills
    for legacy_id, bill in view.bills.items():
        assert bill["number"] == "" and bill["account_legacy_id"] in view.accounts, bill
        assert re.fullmatch(r"20\d\d-\d\d", bill["month"]), bill
        items = view.items[legacy_id]
        assert items and sum(i["amount_fen"] for i in items) == bill["amount_fen"], (bill, items)
        assert all(i["number"] in view.numbers_of(bill["account_legacy_id"]) for i in items), items
        assert all(i["name"] and i["name"] != i["code"] for i in items), items
    assert view.calls and all(re.fullmatch(r"\d{6}-\d+", c) for c in view.calls)


def survived_the_day(harness: HallHarness, view: HallView, day) -> None:
    """Every change of the day's summary is in the hall after one more sync."""
    rows = harness.in_tenant("qianshan", lambda: Customer.select(Customer.legacy_id, Customer.name, Customer.address))
    customers = {r["legacy_id"]: r for r in rows}
    assert {c: customers[c]["address"] for c in day.moved} == day.moved, day.late_stamped
    assert all(customers[c]["name"] == name for c, name in day.renamed.items())
    assert customers[day.new_customer.legacy_id]["name"] == day.new_customer.name
    # the settlement stamped late, before the watermark: the look-back found the payments
    assert day.late_stamped.get("T_ACCT_BILL") and day.paid_bills
    for bill_id, fee_li in day.paid_bills.items():
        bill = view.bills[bill_id]
        assert bill["status"] == "paid" and bill["paid_fen"] == bill["amount_fen"] == li_to_fen(fee_li), bill
    for bill_id, fee_li in day.rerated_bills.items():
        assert view.bills[bill_id]["amount_fen"] == li_to_fen(fee_li), view.bills[bill_id]
        assert sum(i["amount_fen"] for i in view.items[bill_id]) == li_to_fen(fee_li)
    assert set(day.new_calls) <= set(view.calls)
    [account] = day.new_accounts
    assert view.accounts[account]["customer_legacy_id"] == day.new_customer.legacy_id
    assert view.accounts[account]["billing"] == "prepaid"
    [number] = day.new_customer.numbers
    assert (view.numbers[number]["status"], view.numbers[number]["account_legacy_id"]) == ("active", account)
    assert all(view.numbers[n]["status"] == "active" for n in day.reopened_numbers)
    # T_USER alone changed (numbers.changed); the removed line left the mapping (where_not REMOVE_TAG '1'), so the
    # sync took it away from its customer: the hall has no row for it at all (not a row with status "closed")
    [closed] = day.closed_numbers
    assert closed not in view.numbers, view.numbers.get(closed)


def li_to_fen(li: int) -> int:
    return int((decimal.Decimal(li) / 10).quantize(decimal.Decimal(1), decimal.ROUND_HALF_EVEN))


def wrote_back(harness: HallHarness, view: HallView, day, target: str) -> None:
    """A bill payment and a top-up become T_PAYLOG rows, once each though delivered twice, and are read back."""
    bill = next(b for b in sorted(view.bills.values(), key=lambda b: b["legacy_id"]) if b["status"] != "paid")
    [number, *_] = sorted(view.numbers_of(bill["account_legacy_id"]))
    [new_account] = day.new_accounts
    paid_at = dt.datetime.combine(day.day + dt.timedelta(days=1), dt.time(2, 30), dt.timezone.utc)
    bill_pay, topup = pay_and_top_up(harness, bill, number, (day.new_customer.numbers[0], new_account), paid_at)
    rows = {r["OUTER_TRADE_ID"]: r for r in paylog_rows(target, [bill_pay["intent_id"], topup["intent_id"]])}
    assert len(paylog_rows(target, [bill_pay["intent_id"], topup["intent_id"]])) == 2  # exactly once each
    cycle = bill_cycle(target, bill["legacy_id"])
    for intent, account, fen, cycle_id in (
        (bill_pay, bill["account_legacy_id"], bill_pay["amount_fen"], cycle),
        (topup, new_account, 5000, None),
    ):
        row = rows[intent["intent_id"]]
        assert row["PAY_CHANNEL"] == "15" and row["REMOVE_TAG"] == "0", row
        assert len(row["PAY_SERIAL"]) <= 20 and not row["PAY_SERIAL"].startswith("QS"), row
        assert (str(row["ACCT_ID"]), row["CYCLE_ID"]) == (account, cycle_id), row
        assert decimal.Decimal(str(row["RECV_FEE"])) == decimal.Decimal(fen) / 100, row
        assert row["RECV_TIME"] == f"{day.day + dt.timedelta(days=1):%Y%m%d}103000", row  # China time
    read = payments_read_back(harness, paid_at - dt.timedelta(hours=1), paid_at + dt.timedelta(hours=1))
    ours = {p.reference: p for p in read if p.reference}
    assert set(ours) == {bill_pay["intent_id"], topup["intent_id"]}, read
    assert (ours[bill_pay["intent_id"]].amount_fen, ours[bill_pay["intent_id"]].channel) == (
        bill_pay["amount_fen"],
        "hall",
    )
    everything = payments_read_back(
        harness, dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc), paid_at + dt.timedelta(days=1)
    )
    tags = paylog_serials(target)
    assert "1" in tags.values()  # the demo BSS has reversed payments (冲正): where_not leaves them out
    assert sorted(p.legacy_id for p in everything) == sorted(s for s, tag in tags.items() if tag == "0")
    # no month: [connector.payment_records] cannot look CYCLE_ID up in T_BILL_CYCLE (not on the mapping language)
    assert (ours[topup["intent_id"]].account, ours[topup["intent_id"]].amount_fen) == (new_account, 5000)
