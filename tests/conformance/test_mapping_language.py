"""The mapping language on a schema whose values are spread out (shanhai_legacy.py), on SQLite, PostgreSQL and MariaDB.

docs/examples/connector-shanhai.toml uses every form once: a number composed
of two columns, a customer key through an account table, a month from a
bill-cycle table, item names from a shared code table (with its own filter),
soft deletes, money in li, change times of lines and items, and call records
from a read-only UNION query. The connector must pass the conformance kit on
it, with the ids ``truth()`` reads by plain SQL; then each feature is looked
at on its own.
"""

from __future__ import annotations

import asyncio
import decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from conformance_legacy import ENGINES, REPO, LegacyOnEngine, need_engine, tenant_connector
from shanhai_legacy import create_shanhai_db, truth

from core.testing.conformance import BrokenMapping, ConnectorConformance
from plugins.sqlbss.compose import connector_class
from plugins.sqlbss.mapping import parse_mapping

EXAMPLE = REPO / "docs" / "examples" / "connector-shanhai.toml"


class ShanhaiOnEngine(LegacyOnEngine):
    def connector(self, **changes):
        """A connector with every port the mapping has (lines and number pool too)."""
        config = dict(self.config)
        for key, value in changes.items():
            config[key] = {**config[key], **value} if isinstance(value, dict) else value
        mapping = parse_mapping(config, self.tenant_file)
        return connector_class(mapping)(mapping, root=self.root, tenant_file=self.tenant_file)


@pytest.fixture(params=ENGINES)
def shanhai(request, tmp_path) -> LegacyOnEngine:
    need_engine(request.param)
    legacy = ShanhaiOnEngine(
        tmp_path, request.param, tenant_connector(EXAMPLE), tmp_path / "tenants" / "shanhai" / "tenant.toml"
    )
    legacy.path = tmp_path / "var" / "legacy" / "shanhai.sqlite3"
    create_shanhai_db(legacy.path)
    asyncio.run(legacy.start())
    yield legacy
    asyncio.run(legacy.stop())


def execute(legacy: LegacyOnEngine, statement: str, **params) -> list:
    """Plain SQL on the legacy database, whichever engine holds it (names unquoted: PostgreSQL folds them)."""
    url = legacy.config["url"].replace("postgresql://", "postgresql+psycopg://", 1)
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            result = conn.execute(sa.text(statement), params)
            return result.all() if result.returns_rows else []
    finally:
        engine.dispose()


def run(coroutine):
    return asyncio.run(coroutine)


async def _all(read, attr: str, page: int = 1000, watermark: str = "") -> tuple[list, str]:
    rows = []
    while True:
        batch = await read(watermark, page)
        if not getattr(batch, attr):
            return rows, watermark
        rows += getattr(batch, attr)
        watermark = batch.watermark


class TestShanhaiConformance(ConnectorConformance):
    @pytest.fixture
    def connector_factory(self, shanhai):
        return shanhai.connector

    @pytest.fixture
    def legacy_ids(self, shanhai):
        return truth(shanhai.path)

    @pytest.fixture
    def broken_mapping(self, shanhai) -> BrokenMapping:
        wrong = {"lookup": "PM_CODE", "key": "CODE", "value": "CODE_NAM", "from": "ITEM_CD"}
        return BrokenMapping(
            shanhai.connector(bill_items={"name": wrong}),
            shanhai.tenant_file,
            "connector.bill_items.name",
            ("CODE_NAM",),
        )

    @pytest.fixture
    def unreachable_connector(self, shanhai):
        return shanhai.unreachable()


def test_the_example_checks_clean(shanhai):
    """`hall check` on the example: look-up keys unique, values parse, nothing implausible."""
    connector = shanhai.connector()
    assert run(connector.problems()) == []


def test_composed_numbers_and_keys_through_an_account(shanhai):
    connector = shanhai.connector()
    customers, _ = run(_all(connector.customers_changed_since, "customers"))
    rows = execute(
        shanhai,
        "SELECT s.AREA_CODE, s.LOCAL_NO, a.CUST_ID FROM CM_SUBS s JOIN CM_ACCT a ON a.ACCT_ID = s.ACCT_ID "
        "WHERE s.DEL_FLAG = '0' AND LENGTH(TRIM(s.LOCAL_NO)) = 7",
    )
    area, local, owner = next((a, loc, c) for a, loc, c in rows if c in {x.legacy_id for x in customers})
    number = area.strip() + local.strip()
    assert len(local.strip()) == 7  # a padded CHAR(8) local number
    numbers = {x.legacy_id: [n.number for n in x.numbers] for x in customers}
    assert number in numbers[owner]
    found = run(connector.customer_by_number(number))
    assert found is not None and found.legacy_id == owner and number in [n.number for n in found.numbers]
    line = run(connector.line_by_number(number))
    assert line is not None and (line.number, line.customer_id) == (number, owner)
    assert run(connector.customer_by_number(number[:-1])) is None


def test_soft_deleted_rows_are_not_there(shanhai):
    connector = shanhai.connector()
    (gone_line,) = execute(
        shanhai,
        "SELECT s.AREA_CODE, s.LOCAL_NO FROM CM_SUBS s JOIN CM_ACCT a ON a.ACCT_ID = s.ACCT_ID "
        "JOIN CM_CUST c ON c.CUST_ID = a.CUST_ID WHERE s.DEL_FLAG = '1' AND c.CUST_TYPE = 'P' "
        "AND (c.DEL_FLAG IS NULL OR c.DEL_FLAG = '0') ORDER BY s.SUBS_ID LIMIT 1",
    )
    assert run(connector.customer_by_number(gone_line[0].strip() + gone_line[1].strip())) is None
    deleted = execute(shanhai, "SELECT CUST_ID FROM CM_CUST WHERE DEL_FLAG = '1' OR CUST_TYPE = 'T'")
    assert deleted and not run(connector.customers_by_ids([r[0] for r in deleted]))
    pool = run(connector.number_status("13900000003"))  # POOL_TYPE RSV: not in the selection pool
    assert pool is None and run(connector.number_status("13900000001")).price_fen == 10000
    # a filter value is a bound parameter, never SQL: this matches no row and breaks nothing
    sneaky = shanhai.connector(customers={"where": {"DEL_FLAG": "0' OR '1'='1"}})
    assert run(sneaky.customers_changed_since("", 100)).customers == []


def test_months_names_and_li_from_other_tables(shanhai):
    connector = shanhai.connector()
    bills, _ = run(_all(connector.bills_changed_since, "bills"))
    assert {b.month for b in bills} == {"2024-03", "2024-04", "2024-05"}
    names = {i.code: i.name for b in bills for i in b.items}
    assert names == {"YZF": "月租费", "SWF": "上网流量费", "CTF": "国内长途费", "SHF": "市话费"}  # not 预占标志 (STAT)
    memo = execute(shanhai, "SELECT BILL_ID FROM BL_ITEM WHERE REC_TYPE = '9'")
    by_id = {b.legacy_id: b for b in bills}
    assert memo and all(len(by_id[str(m[0])].items) < 4 for m in memo)
    for bill in bills:  # li: each amount rounded half to even, the items apportioned to add up to it
        (total,) = execute(shanhai, "SELECT AMOUNT_LI FROM BL_BILL WHERE BILL_ID = :b", b=int(bill.legacy_id))[0]
        assert bill.amount_fen == int((decimal.Decimal(total) / 10).to_integral_value(decimal.ROUND_HALF_EVEN))
        assert sum(i.amount_fen for i in bill.items) == bill.amount_fen
    assert any(li % 10 == 5 for (li,) in execute(shanhai, "SELECT AMOUNT_LI FROM BL_BILL"))  # half a fen does occur


def test_li_rounding_and_apportioning(shanhai):
    execute(shanhai, "DELETE FROM BL_ITEM WHERE BILL_ID IN (5001, 5002)")
    execute(shanhai, "UPDATE BL_BILL SET AMOUNT_LI = 12350 WHERE BILL_ID = 5001")
    execute(shanhai, "UPDATE BL_BILL SET AMOUNT_LI = 12345 WHERE BILL_ID = 5002")
    for bill, seq, li in ((5001, 1, 10015), (5001, 2, 2335), (5002, 1, 10005), (5002, 2, 2340)):
        execute(
            shanhai,
            "INSERT INTO BL_ITEM VALUES (:b, :s, :c, :li, '1', '20240101000000')",
            b=bill,
            s=seq,
            c=["YZF", "SWF"][seq - 1],
            li=li,
        )
    first, second = sorted(run(shanhai.connector().bills_by_ids(["5001", "5002"])), key=lambda b: b.legacy_id)
    # 1001.5 + 233.5 = 1235 fen: rounded one by one that would be 1002 + 234 = 1236
    assert first.amount_fen == 1235 and [i.amount_fen for i in first.items] == [1002, 233]
    assert second.amount_fen == 1234 and [i.amount_fen for i in second.items] == [1000, 234]  # 1234.5 -> 1234 (even)


def test_a_line_or_item_changing_on_its_own_brings_its_parent_again(shanhai):
    connector = shanhai.connector()
    customers, watermark = run(_all(connector.customers_changed_since, "customers", page=5))
    bills, bill_mark = run(_all(connector.bills_changed_since, "bills", page=7))
    assert len({c.legacy_id for c in customers}) == len(customers) == len(truth(shanhai.path)["customers"])
    assert run(connector.customers_changed_since(watermark, 10)).customers == []
    owner = next(c for c in customers if c.numbers)
    line = owner.numbers[0].number
    execute(
        shanhai,
        "UPDATE CM_SUBS SET STS_DATE = '20990101000000' WHERE ACCT_ID IN (SELECT ACCT_ID FROM CM_ACCT WHERE CUST_ID = :c)",
        c=owner.legacy_id,
    )
    again = run(connector.customers_changed_since(watermark, 10)).customers
    assert [c.legacy_id for c in again] == [owner.legacy_id] and line in [n.number for n in again[0].numbers]
    assert again[0].changed_at.year == 2099  # the line's change time is the customer's now
    bill = bills[0]
    execute(shanhai, "UPDATE BL_ITEM SET UPD_TIME = '20990101000000' WHERE BILL_ID = :b", b=int(bill.legacy_id))
    assert [b.legacy_id for b in run(connector.bills_changed_since(bill_mark, 10)).bills] == [bill.legacy_id]
    # the look-back rewinds such a watermark like any other (a bare marker, no key)
    assert connector.watermark_time("customers", watermark) is not None


def test_calls_from_a_union_query(shanhai):
    connector = shanhai.connector()
    calls, _ = run(_all(connector.calls_after, "calls", page=9))
    assert {c.legacy_id for c in calls} == truth(shanhai.path)["calls"]
    assert {c.call_type for c in calls} == {"local", "roaming"}
    roaming = next(c for c in calls if c.call_type == "roaming")
    ((li,),) = execute(shanhai, "SELECT FEE_LI FROM CDR_ROAM WHERE CDR_ID = :k", k=int(roaming.legacy_id))
    assert roaming.charge_fen == int((decimal.Decimal(li) / 10).to_integral_value(decimal.ROUND_HALF_EVEN))
    assert run(connector.calls_by_ids([roaming.legacy_id]))[0] == roaming


def test_a_query_runs_read_only(shanhai):
    connector = shanhai.connector()

    def write(conn):
        conn.execute(sa.text("UPDATE RS_NBR SET STS = 'T'"))
        return "written"

    with pytest.raises((sa.exc.DBAPIError, ConnectionError)):  # refused by the database, whatever it calls it
        connector._in_connection(write, True)
    assert execute(shanhai, "SELECT COUNT(*) FROM RS_NBR WHERE STS = 'F'")[0][0] == 2
    run(connector.customers_changed_since("", 3))  # the same pooled connection reads on
    assert connector._in_connection(lambda conn: conn.execute(sa.text("SELECT COUNT(*) FROM RS_NBR")).scalar()) == 3


def test_check_names_query_and_lookup_mistakes(shanhai):
    found = {  # names as the database spells them (PostgreSQL folds them to lower case)
        i.key: i.reason.casefold()
        for i in run(
            shanhai.connector(
                calls={"query": "SELECT CDR_ID, SUBS_ID, START_TIME, DUR, CALL_TYPE FROM CDR_LOCAL"},
                bill_items={"name": {"lookup": "PM_CODE", "key": "CODE", "value": "CODE_NAME", "from": "ITEM_CD"}},
            ).problems()
        )
    }
    assert "column 'fee_li' not found in the result of connector.calls.query" in found["connector.calls.charge"]
    assert "not unique: 'yzf' occurs on 2 rows of pm_code.code" in found["connector.bill_items.name"]
    broken = shanhai.connector(calls={"query": "SELECT NO_SUCH_COLUMN FROM CDR_LOCAL"})
    issues = run(broken.problems())
    assert any(i.key == "connector.calls.query" and "the query fails" in i.reason for i in issues), issues
    missing = shanhai.connector(customers={"where_not": {"DELETED": "1"}})
    [issue] = run(missing.problems())
    assert issue.key == "connector.customers.where_not" and "column 'DELETED' not found in table" in issue.reason


def test_hall_check_flags_a_power_of_ten_and_names_that_are_codes(shanhai):
    wrong = shanhai.connector(bill_items={"amount_format": "fen_int", "name": "ITEM_CD"})
    found = {i.key: i.reason.casefold() for i in run(wrong.problems())}
    assert "items sum to 10x the bill amount" in found["connector.bill_items.amount_format"]
    assert "bl_item.item_li" in found["connector.bill_items.amount_format"]
    assert (
        "named by their code" in found["connector.bill_items.name"]
        and "bl_item.item_cd" in found["connector.bill_items.name"]
    )


def test_the_example_is_documented():
    page = (Path(REPO) / "docs" / "connectors.md").read_text(encoding="utf-8")
    assert "```toml docs/examples/connector-shanhai.toml" in page


def test_customers_and_lines_from_queries(shanhai):
    """Queries as sources of the sync's own sections: the watermark, the lines' change times and look-ups around them."""
    by_table = shanhai.connector()
    by_query = shanhai.connector(
        customers={
            "table": None,
            "query": "SELECT CUST_ID, CUST_NAME, CERT_NO, DEL_FLAG, CUST_TYPE, UPD_TIME FROM CM_CUST",
        },
        numbers={
            "table": None,
            "query": "SELECT SUBS_ID, ACCT_ID, AREA_CODE, LOCAL_NO, SUBS_STATE, DEL_FLAG, STS_DATE FROM CM_SUBS",
        },
    )
    expected, watermark = run(_all(by_table.customers_changed_since, "customers", page=4))
    got, same_watermark = run(_all(by_query.customers_changed_since, "customers", page=4))
    assert got == expected and same_watermark == watermark
    number = next(n.number for c in expected for n in c.numbers)
    assert run(by_query.customer_by_number(number)) == run(by_table.customer_by_number(number))
    assert run(by_query.problems()) == []
