"""The call-record fast path: bulk upserts (both engines), the DB agent process, and the fast time parser."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from agent_support import dies_at_start, refuses

from core.db import transaction
from core.db.bulk import BulkWriteError, bulk_upsert
from core.db.scoping import TenantScopeError
from core.legacy import agent as agent_module
from core.legacy.billing_sync import CALL_COLUMNS, sync_billing
from core.legacy.billing_tables import CallRecord
from core.tenancy import tenant_scope
from plugins.sqlbss.markers import _parse_text

from test_billing_sync import snapshot

pytestmark = pytest.mark.usefixtures("hall_db")
UTC = dt.timezone.utc


def row(legacy_id: str, number: str = "13300000000", charge: int = 10) -> tuple:
    return (legacy_id, number, dt.datetime(2024, 4, 1, 8, 0, tzinfo=UTC), 60, "057188880000", "local", charge)


async def test_bulk_upsert_stamps_the_tenant_and_updates_in_place(make_billing):
    alpha, beta = make_billing("jiangnan", 2).tenant, make_billing("haibin", 2).tenant
    for tenant, charge in ((alpha, 10), (beta, 99)):
        with tenant_scope(tenant):
            async with transaction():
                await bulk_upsert(
                    CallRecord, CALL_COLUMNS, [row("c1", charge=charge), row("c2", charge=charge)], mostly_new=True
                )
    with tenant_scope(alpha):
        async with transaction():  # c1 exists: on PostgreSQL the COPY fails and the page is merged instead
            path = await bulk_upsert(CallRecord, CALL_COLUMNS, [row("c1", charge=11), row("c3")], mostly_new=True)
        assert path in ("executemany", "copy+merge")
        mine = {r["legacy_id"]: r["charge_fen"] for r in await CallRecord.select()}
    assert mine == {"c1": 11, "c2": 10, "c3": 10}
    with tenant_scope(beta):
        assert {r["legacy_id"]: r["charge_fen"] for r in await CallRecord.select()} == {"c1": 99, "c2": 99}


async def test_bulk_upsert_refuses_without_tenant_or_transaction(make_billing):
    tenant = make_billing("jiangnan", 2).tenant
    with pytest.raises(TenantScopeError):
        async with transaction():
            await bulk_upsert(CallRecord, CALL_COLUMNS, [row("c1")])
    with tenant_scope(tenant):
        with pytest.raises(BulkWriteError, match="inside core.db.transaction"):
            await bulk_upsert(CallRecord, CALL_COLUMNS, [row("c1")])
        assert await CallRecord.count() == 0


async def test_a_failed_page_leaves_nothing_behind(make_billing):
    tenant = make_billing("jiangnan", 2).tenant
    with tenant_scope(tenant):
        with pytest.raises(RuntimeError):
            async with transaction():
                await bulk_upsert(CallRecord, CALL_COLUMNS, [row("c1"), row("c2")], mostly_new=True)
                raise RuntimeError("crash before the watermark is saved")
        assert await CallRecord.count() == 0


async def test_the_agent_process_gives_the_same_hall_as_in_process(make_billing):
    billing = make_billing("jiangnan", 30, months=2)
    in_process = await sync_billing(billing.tenant, billing.connector, "calls", batch_size=40, agent_min_rows=10**9)
    before = await snapshot(billing.tenant)
    with tenant_scope(billing.tenant):
        await CallRecord.delete(force=True)
    started = []
    original = agent_module.AgentSource.__init__

    def spy(self, *args, **kwargs):
        started.append(args[1])
        original(self, *args, **kwargs)

    agent_module.AgentSource.__init__ = spy
    try:
        via_agent = await sync_billing(
            billing.tenant, billing.connector, "calls", batch_size=40, agent_min_rows=40, full=True
        )
    finally:
        agent_module.AgentSource.__init__ = original
    assert started == ["calls"]
    assert via_agent.fetched == in_process.fetched == billing.count_calls()
    assert via_agent.watermark == in_process.watermark
    assert await snapshot(billing.tenant) == before


async def test_an_agent_that_never_starts_falls_back_to_reading_in_process(make_billing, caplog):
    billing = make_billing("jiangnan", 20, months=2)
    billing.connector.agent_recipe = lambda: (dies_at_start, ())
    result = await sync_billing(billing.tenant, billing.connector, "calls", batch_size=40, agent_min_rows=40)
    assert result.fetched == billing.count_calls() and "did not start" in caplog.text
    with tenant_scope(billing.tenant):
        assert await CallRecord.count() == result.fetched


async def test_an_error_in_the_agent_is_raised_as_itself_and_the_run_can_resume(make_billing):
    billing = make_billing("jiangnan", 20, months=2)
    billing.connector.agent_recipe = lambda: (refuses, ())
    with pytest.raises(ConnectionError, match="refused the agent"):
        await sync_billing(billing.tenant, billing.connector, "calls", batch_size=40, agent_min_rows=40)
    with tenant_scope(billing.tenant):
        assert await CallRecord.count() == 40  # the first page (read in-process) was committed with its watermark
    del billing.connector.agent_recipe
    result = await sync_billing(billing.tenant, billing.connector, "calls", batch_size=40, agent_min_rows=10**9)
    assert result.fetched == billing.count_calls() - 40


def test_the_fast_time_parser_agrees_with_strptime():
    patterns = ["%Y%m%d%H%M%S", "%Y-%m-%d %H:%M:%S", "%Y%m", "%Y%m%d", "%d/%m/%Y %H:%M", "%H%M%S%Y%m%d"]
    rnd = random.Random(5)
    samples = [
        "20240406124845",
        "2024-04-06 12:48:45",
        "202404",
        "20240230",
        "2024-4-6 1:2:3",
        "20241306124845",
        "2024040612484",
        "２０２４０４",
        "31/12/2023 23:59",
        "20240406246000",
        "000000",
        "12484520240406",
    ]
    samples += ["".join(rnd.choice("0123456789-/: ") for _ in range(rnd.randint(4, 20))) for _ in range(3000)]

    def outcome(parse, text, pattern):
        try:
            return parse(text, pattern)
        except ValueError:
            return "ValueError"

    for pattern in patterns:
        for text in samples:
            assert outcome(_parse_text, text, pattern) == outcome(dt.datetime.strptime, text, pattern), (pattern, text)


def test_timestamps_are_written_exactly_as_piccolo_writes_them():
    """The bulk path formats aware datetimes itself on SQLite; what it stores must be what Piccolo's adapter stores."""
    from zoneinfo import ZoneInfo

    from piccolo.engine.sqlite import convert_datetime_in

    from core.db.bulk import _utc_text

    shanghai = ZoneInfo("Asia/Shanghai")
    moments = [
        dt.datetime(2024, 4, 1, 8, 0, tzinfo=shanghai),
        dt.datetime(2024, 4, 1, 8, 0, 0, 123456, tzinfo=shanghai),
        dt.datetime(2024, 1, 1, tzinfo=UTC),
        dt.datetime(2023, 12, 31, 23, 59, 59, 5),
        dt.datetime(1999, 3, 28, 2, 30, tzinfo=shanghai),
    ]
    for moment in moments:
        assert _utc_text(moment) == convert_datetime_in(moment)


async def test_bulk_rows_read_back_as_the_same_moments(make_billing):
    tenant = make_billing("jiangnan", 2).tenant
    moment = dt.datetime(2024, 4, 1, 8, 30, 15, 250000, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    with tenant_scope(tenant):
        async with transaction():
            await bulk_upsert(CallRecord, CALL_COLUMNS, [("c1", "13300000000", moment, 60, "", "local", 10)])
        stored = await CallRecord.select(CallRecord.started_at).first()
    assert stored["started_at"] == moment


def test_epoch_seconds_mistaken_for_text_times_are_refused():
    """1711897200 read as %Y%m%d%H%M%S is a valid date in the year 1711: a wrong format, and now reported as one."""
    from zoneinfo import ZoneInfo

    from plugins.sqlbss.markers import time_parser, to_datetime

    tz = ZoneInfo("Asia/Shanghai")
    for parse in (lambda v: to_datetime(v, "text:%Y%m%d%H%M%S", tz), time_parser("text:%Y%m%d%H%M%S", tz)):
        with pytest.raises(ValueError, match="year 1711"):
            parse("1711897200")
        assert parse("20240406124845").year == 2024
