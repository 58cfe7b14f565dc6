"""The kit fails where it should: connectors with one classic fault each, run through the kit's own tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from test_fake_connector import legacy_customers

from core.legacy.ports import BillBatch, LegacyBill
from core.testing import FakeConnector
from core.testing.conformance import ConnectorConformance, ConnectorRun

KIT = ConnectorConformance()


class PagesByChangeTimeOnly(FakeConnector):
    """Watermark = change time alone: rows sharing a change time across a page boundary are lost."""

    async def customers_changed_since(self, watermark, limit):
        ordered = sorted(self.customers, key=lambda c: (c.changed_at, c.legacy_id))
        page = [c for c in ordered if not watermark or c.changed_at.isoformat() > watermark][:limit]
        return type(await super().customers_changed_since("", 1))(
            page, page[-1].changed_at.isoformat() if page else watermark
        )


class WritesTwice(FakeConnector):
    async def write_event(self, event_id, kind, payload):
        self.calls.append(f"write_event:{event_id}")


class WrongOutageError(FakeConnector):
    async def ping(self):
        raise RuntimeError("socket closed")


class FloatBills(FakeConnector):
    """A BillingSource handing out yuan as floats and naive times."""

    async def bills_changed_since(self, watermark, limit):
        aware = dt.datetime(2024, 6, 1, tzinfo=dt.timezone.utc)
        bills = [
            LegacyBill("B1", "13900000001", "2024-05", 1250, changed_at=aware.replace(tzinfo=None)),
            LegacyBill("B2", "13900000001", "2024-05", 12.5, changed_at=aware),
            LegacyBill("B3", "13900000001", "2024-05", 1250, changed_at=aware),
        ]
        page = [b for b in bills if b.legacy_id > watermark][:limit]
        return BillBatch(page, page[-1].legacy_id if page else watermark)

    async def bills_by_ids(self, ids):
        return [b for b in (await self.bills_changed_since("", 100)).bills if b.legacy_id in ids]


def run(connector) -> ConnectorRun:
    return ConnectorRun(lambda: connector)


def test_lost_rows_are_caught():
    with pytest.raises(AssertionError, match="misses"):
        KIT.test_every_page_size_hands_out_every_row_exactly_once(
            run(PagesByChangeTimeOnly(customers=legacy_customers())), None, "customers"
        )


def test_a_watermark_that_stands_still_is_caught():
    stuck = FakeConnector(customers=legacy_customers())
    original = stuck.customers_changed_since

    async def same_watermark(watermark, limit):
        return replace(await original(watermark, limit), watermark=watermark)

    stuck.customers_changed_since = same_watermark
    with pytest.raises(AssertionError, match="did not advance"):
        KIT.test_the_watermark_advances_with_every_page_and_the_end_stays_empty(run(stuck), "customers")


def test_a_second_effect_of_one_event_is_caught():
    fake = WritesTwice()
    with pytest.raises(AssertionError):
        KIT.test_writing_an_event_twice_has_one_effect(
            run(fake), lambda event_id: fake.calls.count(f"write_event:{event_id}")
        )


def test_the_wrong_exception_during_an_outage_is_caught():
    with pytest.raises(AssertionError, match="RuntimeError"):
        KIT.test_an_unreachable_legacy_system_raises_connection_error(
            WrongOutageError(customers=legacy_customers(), down=True)
        )


def test_money_that_is_not_fen_and_naive_times_are_caught():
    with pytest.raises(AssertionError, match="bills the hall would refuse") as caught:
        KIT.test_rows_are_in_the_halls_units(run(FloatBills()), "bills")
    assert "B2: amount 12.5 is not a whole number of fen" in str(caught.value)
    assert "B1: change time has no time zone" in str(caught.value) and "B3" not in str(caught.value)


def test_a_missing_port_is_skipped_with_the_reason():
    with pytest.raises(pytest.skip.Exception, match="does not offer the calls port"):
        KIT.test_lookups_by_id_agree_with_paging(run(FakeConnector(customers=legacy_customers())), "calls")
