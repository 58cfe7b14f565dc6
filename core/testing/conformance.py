"""The connector conformance kit: the properties every legacy connector must have, as a test class to subclass.

An integrator writing a connector (or a mapping for ``sqlbss``) runs the
hall's own expectations against it::

    # tests/test_my_connector.py            (conftest.py: pytest_plugins = ["core.testing.fixtures"])
    import pytest
    from core.testing.conformance import BrokenMapping, ConnectorConformance

    class TestMyConnector(ConnectorConformance):
        @pytest.fixture
        def connector_factory(self, tmp_path):
            return lambda: MyConnector(url=...)      # a fresh connector onto the test legacy system

Only ``connector_factory`` is required. Optional fixtures switch on more
checks (``broken_mapping``, ``unreachable_connector``, ``writeback_effects``,
``legacy_ids``); tests whose fixture or port is missing are skipped with the
reason. The test legacy system should hold a few dozen rows of each kind the
connector offers: every property is checked on all of them. Tests are plain
functions running their own event loop, so pytest-asyncio is not needed.
See docs/connectors.md, "The conformance kit".
"""

from __future__ import annotations

import math
import uuid
from typing import Any, Callable

import pytest

from core.config import ConfigError
from core.legacy.ports import Connector, LegacyWriter
from core.testing.conformance_hall import counts, snapshot, sync_all, sync_with_crashes
from core.testing.conformance_ports import (
    KINDS,
    BrokenMapping,
    ConnectorRun,
    Kind,
    duplicates,
    hall_units_problem,
    ids_of,
    look_up,
    look_up_unknown,
    page_all,
)
from core.testing.harness import SECRET, TenantSpec

KIND_NAMES = list(KINDS)
__all__ = ["BrokenMapping", "ConnectorConformance", "ConnectorRun"]


class ConnectorConformance:
    """Subclass as ``Test...`` and provide ``connector_factory``; see the module docstring."""

    page_sizes: tuple[int, ...] = (1, 3, 10, 1000)
    crash_pages: int = 6  # the interrupted sync cuts each kind into about this many pages (one crash per page)
    dirty_ids: dict[
        str, set[str]
    ] = {}  # rows the test data makes invalid on purpose, by kind: the hall may refuse them

    # -- fixtures an integrator provides ------------------------------------------------
    @pytest.fixture
    def connector_factory(self) -> Callable[[], Any]:
        pytest.fail(
            "provide a `connector_factory` fixture: a callable returning a fresh connector onto the test legacy system"
        )

    @pytest.fixture
    def broken_mapping(self) -> BrokenMapping:
        pytest.skip("no `broken_mapping` fixture: the report of a wrong mapping is not checked")

    @pytest.fixture
    def unreachable_connector(self) -> Any:
        pytest.skip("no `unreachable_connector` fixture: the behaviour during a legacy outage is not checked")

    @pytest.fixture
    def writeback_effects(self) -> Callable[[str], int]:
        pytest.skip("no `writeback_effects` fixture (event id -> how many times the legacy system applied it)")

    @pytest.fixture
    def legacy_ids(self) -> dict[str, set[str]] | None:
        """Optional: the legacy ids the test data really holds, by kind, so paging is checked for gaps against the truth."""
        return None

    # -- plumbing -------------------------------------------------------------------------
    @pytest.fixture
    def legacy(self, connector_factory) -> ConnectorRun:
        session = ConnectorRun(connector_factory)
        yield session
        session.close()

    @staticmethod
    def offered(connector: Any, kind: str) -> Kind:
        k = KINDS[kind]
        if not k.offered_by(connector):
            pytest.skip(k.missing_reason(connector))
        return k

    @staticmethod
    def all_rows(legacy: ConnectorRun, k: Kind, connector: Any | None = None) -> list:
        rows = [r for page in legacy.run(page_all(k, connector or legacy.connector, 1000)) for r in page.rows]
        assert rows, f"the test legacy system has no {k.name}: give it some, or the {k.name} checks prove nothing"
        return rows

    # -- the connector itself ---------------------------------------------------------------
    def test_is_a_connector_with_a_port(self, legacy):
        connector = legacy.connector
        assert isinstance(connector, Connector), "a connector needs `name`, `ping()` and `close()`"
        assert isinstance(connector.name, str) and connector.name
        legacy.run(connector.ping())
        offered = [k.name for k in KINDS.values() if k.offered_by(connector)] + (
            ["writeback"] if isinstance(connector, LegacyWriter) else []
        )
        assert offered, "the connector offers no port (CustomerSource, BillingSource, CallRecordSource, LegacyWriter)"

    # -- paging -------------------------------------------------------------------------------
    @pytest.mark.parametrize("kind", KIND_NAMES)
    def test_every_page_size_hands_out_every_row_exactly_once(self, legacy, legacy_ids, kind):
        k = self.offered(legacy.connector, kind)
        by_size = {}
        for size in self.page_sizes:
            ids = ids_of([r for page in legacy.run(page_all(k, legacy.connector, size)) for r in page.rows])
            assert not duplicates(ids), f"page size {size}: {kind} handed out twice: {duplicates(ids)[:5]}"
            by_size[size] = set(ids)
        first = by_size[self.page_sizes[-1]]
        assert first, f"the test legacy system has no {kind}"
        for size, ids in by_size.items():
            assert ids == first, f"page size {size} misses {sorted(first - ids)[:5]} and adds {sorted(ids - first)[:5]}"
        if legacy_ids and kind in legacy_ids:
            assert first == set(legacy_ids[kind]), (
                f"missing {sorted(set(legacy_ids[kind]) - first)[:5]}, unknown {sorted(first - set(legacy_ids[kind]))[:5]}"
            )

    @pytest.mark.parametrize("kind", KIND_NAMES)
    def test_reading_again_from_a_watermark_returns_the_same_rows(self, legacy, kind):
        k = self.offered(legacy.connector, kind)
        pages = legacy.run(page_all(k, legacy.connector, 3))
        assert pages, f"the test legacy system has no {kind}"
        other = legacy.new()  # and a connector started afresh (after a restart) reads the watermark the same way
        for page in pages:
            for connector in (legacy.connector, other):
                rows, after = legacy.run(k.page(connector, page.watermark_before, 3))
                assert rows == page.rows, f"{kind} after {page.watermark_before!r}: a second read differs"
                assert after == page.watermark_after

    @pytest.mark.parametrize("kind", KIND_NAMES)
    def test_the_watermark_advances_with_every_page_and_the_end_stays_empty(self, legacy, kind):
        k = self.offered(legacy.connector, kind)
        pages = legacy.run(page_all(k, legacy.connector, 4))  # page_all fails on a watermark that stands still
        assert pages, f"the test legacy system has no {kind}"
        assert len({p.watermark_after for p in pages}) == len(pages), "a watermark came back twice"
        rows, _ = legacy.run(k.page(legacy.connector, pages[-1].watermark_after, 4))
        assert rows == [], f"{kind} after the last watermark: {ids_of(rows)[:5]}"

    @pytest.mark.parametrize("kind", KIND_NAMES)
    def test_lookups_by_id_agree_with_paging(self, legacy, kind):
        k = self.offered(legacy.connector, kind)
        rows = self.all_rows(legacy, k)
        found = legacy.run(look_up(k, legacy.connector, rows))
        if kind == "customers":
            by_id = {c.legacy_id: c for c in rows}
            assert found, "no customer has a service number of its own: customer_by_number is not checked"
            wrong = [n for n, c in found.items() if c is None or c != by_id[c.legacy_id]]
            assert not wrong, f"customer_by_number disagrees with paging for {wrong[:5]}"
        else:
            missing = [r.legacy_id for r in rows if r.legacy_id not in found]
            assert not missing, f"{kind} by id: {missing[:5]} not found"
            differ = [r.legacy_id for r in rows if found[r.legacy_id] != r]
            assert not differ, f"{kind} by id differ from the paged rows: {differ[:5]}"
        assert legacy.run(look_up_unknown(k, legacy.connector)) in (None, []), (
            "an unknown id must be left out (or None)"
        )

    @pytest.mark.parametrize("kind", KIND_NAMES)
    def test_rows_are_in_the_halls_units(self, legacy, kind):
        """Fen as int, aware datetimes, mapped codes: what the hall's validators accept (or a row's own ``problem``)."""
        k = self.offered(legacy.connector, kind)
        allowed = self.dirty_ids.get(kind, set())
        refused = []
        for row in self.all_rows(legacy, k):
            problem = hall_units_problem(kind, row, SECRET)
            if problem and row.legacy_id not in allowed and not getattr(row, "problem", ""):
                refused.append(f"{row.legacy_id}: {problem}")
        assert not refused, f"{len(refused)} {kind} the hall would refuse: {refused[:5]}"

    @pytest.mark.parametrize("kind", KIND_NAMES)
    def test_the_id_listing_for_reconciliation_agrees_with_paging(self, legacy, kind):
        """``legacy_ids`` (the optional LegacyIdSource port: rows deleted upstream) lists exactly the paged ids."""
        from core.legacy.reconcile import reconcilable

        k = self.offered(legacy.connector, kind)
        if not reconcilable(legacy.connector, kind):
            pytest.skip(
                f"{legacy.connector.name} does not list {kind} ids (LegacyIdSource): no reconciliation to check"
            )
        listed, cursor = [], ""
        for _ in range(100_000):
            page = legacy.run(legacy.connector.legacy_ids(kind, cursor, 3))
            assert len(page.ids) <= 3, f"asked for at most 3 ids, got {len(page.ids)}"
            listed += page.ids
            if not page.cursor:
                break
            assert page.cursor != cursor, f"{kind} id listing: the cursor {cursor!r} did not move"
            cursor = page.cursor
        assert not duplicates(listed), f"{kind} ids listed twice: {duplicates(listed)[:5]}"
        paged = set(ids_of(self.all_rows(legacy, k)))
        assert set(listed) == paged, (
            f"listing misses {sorted(paged - set(listed))[:5]}, adds {sorted(set(listed) - paged)[:5]}"
        )

    # -- into a real hall -------------------------------------------------------------------------
    def _hall(self, hall_factory, *tenant_ids: str):
        harness = hall_factory([TenantSpec(t) for t in tenant_ids])
        return harness, [harness.tenant(t) for t in tenant_ids]

    @staticmethod
    def _kinds(connector: Any) -> list[str]:
        kinds = [k for k in KIND_NAMES if KINDS[k].offered_by(connector)]
        if not kinds:
            pytest.skip("the connector offers no read port: nothing to sync")
        return kinds

    def test_syncing_twice_changes_nothing(self, hall_factory, connector_factory):
        harness, (tenant,) = self._hall(hall_factory, "twice")
        connector = connector_factory()
        try:
            kinds, secret = self._kinds(connector), harness.hall.secret
            harness.run(sync_all(tenant, connector, kinds, secret, batch_size=50))
            first = harness.run(snapshot(tenant))
            assert any(first[k] for k in ("customers", "bills", "calls")), (
                f"the first sync wrote nothing: {counts(first)}"
            )
            again = harness.run(sync_all(tenant, connector, kinds, secret, batch_size=50))
            assert again == dict.fromkeys(kinds, 0), f"an incremental re-run wrote rows: {again}"
            assert harness.run(snapshot(tenant)) == first
            harness.run(sync_all(tenant, connector, kinds, secret, batch_size=7, full=True))
            after_full = harness.run(snapshot(tenant))
            for part, rows in first.items():  # a full run reads quarantined rows again: only their attempts may grow
                same = (
                    [r[:3] for r in rows] == [r[:3] for r in after_full[part]]
                    if part == "quarantine"
                    else rows == after_full[part]
                )
                assert same, f"a full re-sync changed the hall's {part}"
        finally:
            harness.run(connector.close())

    def test_a_sync_cut_at_every_page_ends_like_an_uninterrupted_one(self, hall_factory, connector_factory):
        harness, (whole, cut) = self._hall(hall_factory, "whole", "cut")
        connector = connector_factory()
        try:
            secret = harness.hall.secret
            for kind in self._kinds(connector):
                total = sum(len(p.rows) for p in harness.run(page_all(KINDS[kind], connector, 1000)))
                batch = max(1, math.ceil(total / self.crash_pages))
                harness.run(sync_all(whole, connector, [kind], secret, batch_size=batch))
                runs = harness.run(
                    sync_with_crashes(cut, connector, kind, secret, batch_size=batch, max_runs=total + 2)
                )
                assert runs >= min(total, self.crash_pages), (
                    f"{kind}: only {runs} runs for {total} rows in pages of {batch}"
                )
            expected, got = harness.run(snapshot(whole)), harness.run(snapshot(cut))
            for part in expected:
                assert got[part] == expected[part], (
                    f"{part} differ after the interrupted sync ({len(got[part])} vs {len(expected[part])} rows)"
                )
        finally:
            harness.run(connector.close())

    # -- write-back, diagnostics, outages ------------------------------------------------------------
    def test_writing_an_event_twice_has_one_effect(self, legacy, writeback_effects):
        connector = legacy.connector
        if not isinstance(connector, LegacyWriter):
            pytest.skip(f"{connector.name} does not offer the writeback port (LegacyWriter)")
        twice, once = str(uuid.uuid4()), str(uuid.uuid4())
        payload = {"number": "13900000000", "amount_fen": 1234}
        legacy.run(connector.write_event(twice, "payment.posted", payload))
        legacy.run(connector.write_event(twice, "payment.posted", payload))
        legacy.run(legacy.new().write_event(twice, "payment.posted", payload))  # after a restart, too
        legacy.run(connector.write_event(once, "payment.posted", {**payload, "amount_fen": 1}))
        assert (writeback_effects(twice), writeback_effects(once)) == (1, 1)

    def test_a_broken_mapping_is_reported_by_file_key_and_name(self, broken_mapping):
        legacy = ConnectorRun(lambda: broken_mapping.connector)
        try:
            connector = legacy.connector
            problems = getattr(connector, "problems", None)
            if problems is not None:
                issues = legacy.run(problems())
            else:
                with pytest.raises(ConfigError) as raised:
                    legacy.run(connector.check())
                issues = raised.value.issues
            wanted = [str(broken_mapping.file), broken_mapping.key, *(n.casefold() for n in broken_mapping.names)]
            fitting = [
                i
                for i in issues
                if str(i.file) == wanted[0] and i.key == wanted[1] and all(n in i.reason.casefold() for n in wanted[2:])
            ]
            assert fitting, f"no problem names {wanted}; reported: {[str(i) for i in issues]}"
        finally:
            legacy.close()

    def test_an_unreachable_legacy_system_raises_connection_error(self, unreachable_connector):
        legacy = ConnectorRun(lambda: unreachable_connector)
        connector = legacy.connector
        calls = {"ping": connector.ping}
        for kind in KINDS.values():
            if kind.offered_by(connector):
                calls[f"{kind.name} page"] = lambda kind=kind: kind.page(connector, "", 10)
                calls[f"{kind.name} look-up"] = lambda kind=kind: look_up_unknown(kind, connector)
        if isinstance(connector, LegacyWriter):
            calls["write_event"] = lambda: connector.write_event(str(uuid.uuid4()), "payment.posted", {})
        wrong = {}
        try:
            for name, call in calls.items():
                try:
                    legacy.run(call())
                    wrong[name] = "no error"
                except ConnectionError:
                    pass
                except Exception as exc:  # noqa: BLE001 - the point is which class it is
                    wrong[name] = f"{type(exc).__name__}: {exc}"
        finally:
            legacy.close()
        assert not wrong, f"these should raise ConnectionError (the outbox and jobs wait on it): {wrong}"
