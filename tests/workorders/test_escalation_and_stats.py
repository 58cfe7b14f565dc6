"""Deadlines are escalated once to the department head; statistics add up."""

from __future__ import annotations

import datetime as dt

from workorder_support import customer, operator

from core.jobs import make_runner
from core.notify.tables import Message
from core.workorders import open_order, rate, transition
from core.workorders.escalation import JOB_NAME, escalate_due
from core.workorders.stats import aggregate, figures
from core.workorders.tables import WorkOrder, WorkOrderEvent


def _open(harness, ids, topic="other"):
    return harness.in_tenant(
        "alpha",
        open_order,
        harness.hall,
        "testwo.ticket",
        {"topic": topic, "text": "x"},
        title="t",
        actor=customer(ids["alpha"]),
    )


def test_overdue_orders_are_escalated_once(world):
    harness, ids, seen = world
    late = _open(harness, ids, "network")  # due in 4 hours
    resolved = _open(harness, ids, "network")
    harness.in_tenant(
        "alpha", transition, harness.hall, resolved["id"], "resolve", operator(ids["alpha"], "ann"), comment="done"
    )
    in_time = _open(harness, ids)  # due in 24 hours
    later = late["created_at"] + dt.timedelta(hours=5)
    assert harness.in_tenant("alpha", escalate_due, harness.hall, "alpha", now=later) == 1
    assert harness.in_tenant("alpha", escalate_due, harness.hall, "alpha", now=later) == 0  # idempotent
    rows = {r["id"]: r for r in harness.in_tenant("alpha", lambda: WorkOrder.select())}
    assert rows[late["id"]]["escalated_at"] is not None
    assert rows[resolved["id"]]["escalated_at"] is None and rows[in_time["id"]]["escalated_at"] is None
    events = harness.in_tenant("alpha", lambda: WorkOrderEvent.select().where(WorkOrderEvent.action == "escalate"))
    assert [(e["workorder"], e["actor_kind"], e["details"]["head"]) for e in events] == [
        (late["id"], "system", ids["alpha"]["head"])
    ]
    assert ("alpha", late["number"], "escalate", "new", "new") in seen
    mails = harness.in_tenant("alpha", lambda: Message.select().where(Message.recipient == "cs-head@example.com"))
    assert len(mails) == 1 and late["number"] in mails[0]["subject"]
    assert harness.in_tenant("beta", escalate_due, harness.hall, "beta", now=later) == 0  # beta's orders are its own


def test_the_escalation_job_is_scheduled(world):
    harness, ids, _ = world
    runner = make_runner(harness.hall)
    from core.jobs.spec import all_jobs

    assert all_jobs(harness.hall)[JOB_NAME].every_minutes == 5
    _open(harness, ids)
    harness.run(runner.run_now(JOB_NAME, "alpha"))  # nothing is due yet: runs, escalates nothing
    assert harness.in_tenant("alpha", lambda: WorkOrder.count().where(WorkOrder.escalated_at.is_not_null())) == 0


def test_figures_by_department_and_type(world):
    harness, ids, _ = world
    a = ids["alpha"]
    one, two, three = _open(harness, ids), _open(harness, ids), _open(harness, ids, "billing")
    harness.in_tenant("alpha", transition, harness.hall, one["id"], "start", operator(a, "ann"))
    harness.in_tenant("alpha", transition, harness.hall, one["id"], "resolve", operator(a, "ann"), comment="ok")
    harness.in_tenant("alpha", rate, harness.hall, one["id"], customer(a), 5)
    harness.in_tenant("alpha", transition, harness.hall, two["id"], "resolve", operator(a, "bob"), comment="ok")
    harness.in_tenant("alpha", rate, harness.hall, two["id"], customer(a), 2)
    start = one["created_at"] - dt.timedelta(minutes=1)
    end = start + dt.timedelta(days=1)
    by_dept = {f.key: f for f in harness.in_tenant("alpha", figures, start, end, by="department")}
    cs, bill = one["department"], three["department"]
    assert (by_dept[cs].opened, by_dept[cs].resolved, by_dept[cs].rated, by_dept[cs].satisfied) == (2, 2, 2, 1)
    assert by_dept[cs].avg_rating == 3.5 and by_dept[cs].satisfaction_rate == 0.5
    assert (by_dept[bill].opened, by_dept[bill].resolved, by_dept[bill].avg_resolution) == (1, 0, None)
    by_op = {f.key: f.resolved for f in harness.in_tenant("alpha", figures, start, end, by="assignee")}
    assert by_op == {a["ann"]: 1, a["bob"]: 1, None: 0}
    # after the deadline, the unresolved one counts as breached
    late = harness.in_tenant("alpha", figures, start, end, now=end + dt.timedelta(days=2))
    assert (late[0].opened, late[0].breached, late[0].breach_rate) == (3, 1, round(1 / 3, 4))
    assert harness.in_tenant("beta", figures, start, end) == []


def test_aggregate_times_and_periods():
    t0 = dt.datetime(2026, 3, 31, 15, 30, tzinfo=dt.timezone.utc)  # 23:30 in China: still March 31st there
    base = {
        "type": "x.y",
        "category": "",
        "department": 1,
        "assignee": 1,
        "closed_at": None,
        "escalated_at": None,
        "rating": None,
        "reopen_count": 0,
    }
    orders = [
        {
            **base,
            "created_at": t0,
            "first_response_at": t0 + dt.timedelta(minutes=10),
            "resolved_at": t0 + dt.timedelta(hours=2),
            "deadline_at": t0 + dt.timedelta(hours=1),
        },
        {
            **base,
            "created_at": t0 + dt.timedelta(hours=1),
            "first_response_at": t0 + dt.timedelta(hours=1, minutes=30),
            "resolved_at": None,
            "deadline_at": None,
            "rating": 4,
            "reopen_count": 1,
        },
    ]
    days = aggregate(orders, "day", now=t0 + dt.timedelta(days=1))
    assert [(f.key, f.opened) for f in days] == [("2026-03-31", 1), ("2026-04-01", 1)]
    total = aggregate(orders, None, now=t0 + dt.timedelta(days=1))[0]
    assert (total.avg_response, total.median_response, total.avg_resolution) == (20.0, 20.0, 120.0)
    assert (total.breached, total.reopened, total.rated, total.satisfied) == (1, 1, 1, 1)
