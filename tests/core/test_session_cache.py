"""The per-worker session cache: the table stays the truth, a worker may lag it by at most CACHE_SECONDS."""

from __future__ import annotations

import pytest

from core.auth import sessions
from core.auth.sessions import create_session, end_session, end_sessions_of, load_session, set_session_data
from core.auth.tables import Session


@pytest.fixture
def clock(monkeypatch):
    """A hand-driven monotonic clock for the cache (the database's own expiry still uses real time)."""
    now = [1000.0]
    monkeypatch.setattr(sessions.time, "monotonic", lambda: now[0])
    return now


def _other_worker_deletes(hall, tenant: str, **where) -> None:
    """What another worker's log-out does: the row goes, this worker's cache is not told."""

    async def go():
        await Session.delete().where(*[getattr(Session, k) == v for k, v in where.items()])

    hall.in_tenant(tenant, go)


def test_a_session_ended_elsewhere_is_refused_within_cache_seconds(hall, clock):
    token = hall.in_tenant("alpha", create_session, "customer", 7, 30, {"name": "Li"})
    row = hall.in_tenant("alpha", load_session, token)
    assert (row["kind"], row["principal_id"], row["data"]) == ("customer", 7, {"name": "Li"})
    _other_worker_deletes(hall, "alpha", principal_id=7)
    clock[0] += sessions.CACHE_SECONDS - 0.5
    assert hall.in_tenant("alpha", load_session, token) is not None  # the documented lag
    clock[0] += 0.5
    assert hall.in_tenant("alpha", load_session, token) is None  # never later than CACHE_SECONDS


def test_log_out_in_this_worker_is_immediate(hall, clock):
    token = hall.in_tenant("alpha", create_session, "customer", 8, 30, {})
    assert hall.in_tenant("alpha", load_session, token) is not None
    hall.in_tenant("alpha", end_session, token)
    assert hall.in_tenant("alpha", load_session, token) is None


def test_ending_all_sessions_of_a_customer_is_immediate_here_and_keeps_the_current_one(hall, clock):
    tokens = [hall.in_tenant("alpha", create_session, "customer", 9, 30, {}) for _ in range(3)]
    other = hall.in_tenant("alpha", create_session, "customer", 10, 30, {})
    for t in tokens + [other]:
        assert hall.in_tenant("alpha", load_session, t) is not None
    hall.in_tenant("alpha", end_sessions_of, "customer", 9, tokens[0])
    assert [hall.in_tenant("alpha", load_session, t) is not None for t in tokens] == [True, False, False]
    assert hall.in_tenant("alpha", load_session, other) is not None


def test_new_session_data_is_seen_at_once(hall, clock):
    token = hall.in_tenant("alpha", create_session, "customer", 11, 30, {"language": "zh_CN"})
    row = hall.in_tenant("alpha", load_session, token)
    hall.in_tenant("alpha", set_session_data, row["id"], {"language": "en"})
    assert hall.in_tenant("alpha", load_session, token)["data"] == {"language": "en"}


def test_a_cached_session_is_not_valid_in_another_tenant(hall, clock):
    token = hall.in_tenant("alpha", create_session, "customer", 12, 30, {})
    assert hall.in_tenant("alpha", load_session, token) is not None
    assert hall.in_tenant("beta", load_session, token) is None


def test_expired_and_unknown_tokens_are_refused_and_not_cached(hall, clock):
    assert hall.in_tenant("alpha", load_session, "no-such-token") is None
    assert hall.in_tenant("alpha", load_session, "x" * 101) is None
    token = hall.in_tenant("alpha", create_session, "customer", 13, 0, {})  # expires at once
    assert hall.in_tenant("alpha", load_session, token) is None
    assert not [k for k in sessions._cache if k[1] == sessions._hash("no-such-token")]


def test_the_cache_stays_bounded(hall, clock, monkeypatch):
    monkeypatch.setattr(sessions, "CACHE_MAX", 3)
    monkeypatch.setattr(sessions, "_cache", {})
    tokens = [hall.in_tenant("alpha", create_session, "customer", 20 + i, 30, {}) for i in range(5)]
    for t in tokens:
        assert hall.in_tenant("alpha", load_session, t) is not None
        assert len(sessions._cache) <= 3
