"""The work-order API: opening, numbering, the state machine, ownership, transfer, comments, rating, history, hook."""

from __future__ import annotations

import pytest
from workorder_support import customer, operator

from core.workorders import (
    Conflict,
    InvalidData,
    NotAllowed,
    NotFound,
    claim,
    comment,
    open_order,
    rate,
    transfer,
    transition,
)
from core.workorders.tables import Department, WorkOrder, WorkOrderComment, WorkOrderEvent


def _open(harness, hall_ids, tid="alpha", topic="other", **kw):
    ids = hall_ids[tid]
    return harness.in_tenant(
        tid,
        open_order,
        harness.hall,
        "testwo.ticket",
        {"topic": topic, "text": "it broke"},
        title="My line is down",
        actor=customer(ids),
        **kw,
    )


def test_an_order_is_numbered_routed_and_given_a_deadline(world):
    harness, ids, seen = world
    first = _open(harness, ids)
    second = _open(harness, ids, topic="billing")
    beta = _open(harness, ids, "beta")
    year = first["created_at"].year
    assert (first["number"], second["number"]) == (f"TK-{year}-000001", f"TK-{year}-000002")
    assert beta["number"] == f"TK-{year}-000001"  # numbering is per tenant
    cs = harness.in_tenant("alpha", lambda: Department.select().where(Department.code == "CS").first())
    assert first["department"] == cs["id"] and first["state"] == "new" and first["assignee"] is None
    assert (first["deadline_at"] - first["created_at"]).total_seconds() == 24 * 3600
    assert first["contact_email"] == "cust-alpha@example.com"
    assert seen[0] == ("alpha", first["number"], "open", "", "new")


def test_category_deadline_and_tenant_override(hall_factory):
    from workorder_support import build

    hours = {"ticket": 48, "ticket/billing": 2}  # the harness quotes keys TOML cannot take bare
    harness, ids = build(hall_factory, plugin_settings={"testwo": {"workorder_deadline_hours": hours}})
    network = _open(harness, ids, topic="network")
    billing = _open(harness, ids, topic="billing")
    other = _open(harness, ids, topic="other")
    hours = lambda o: (o["deadline_at"] - o["created_at"]).total_seconds() / 3600  # noqa: E731
    assert (hours(billing), hours(other)) == (2, 48)
    assert hours(network) == 48  # the tenant's per-type override beats the type's category default
    beta = _open(harness, ids, "beta", topic="network")
    assert hours(beta) == 4  # beta keeps the type's defaults


def test_bad_form_data_is_refused_per_field(world):
    harness, ids, _ = world
    with pytest.raises(InvalidData) as exc:
        harness.in_tenant(
            "alpha", open_order, harness.hall, "testwo.ticket", {"topic": "x"}, title="", actor=customer(ids["alpha"])
        )
    assert set(exc.value.errors) == {"topic", "text", "title"}
    assert harness.in_tenant("alpha", lambda: WorkOrder.count()) == 0


def test_first_responder_owns_the_order(world):
    harness, ids, seen = world
    a = ids["alpha"]
    order = _open(harness, ids)
    done = harness.in_tenant("alpha", transition, harness.hall, order["id"], "start", operator(a, "ann"))
    assert done["assignee"] == a["ann"] and done["state"] == "in_progress" and done["first_response_at"] is not None
    with pytest.raises(NotAllowed):
        harness.in_tenant("alpha", transition, harness.hall, order["id"], "ask", operator(a, "bob"), comment="?")
    with pytest.raises(NotAllowed):
        harness.in_tenant("alpha", claim, harness.hall, order["id"], operator(a, "bob"))
    # the department head and a supervisor may act on it
    harness.in_tenant("alpha", transition, harness.hall, order["id"], "note", operator(a, "head"))
    harness.in_tenant("alpha", transition, harness.hall, order["id"], "ask", operator(a, "boss"), comment="Which line?")
    after = harness.in_tenant(
        "alpha", transition, harness.hall, order["id"], "answer", customer(a), comment="The second one"
    )
    assert after["assignee"] == a["ann"] and after["state"] == "in_progress"


def test_claim_then_only_the_owner_acts(world):
    harness, ids, _ = world
    a = ids["alpha"]
    order = _open(harness, ids)
    assert harness.in_tenant("alpha", claim, harness.hall, order["id"], operator(a, "bob"))["assignee"] == a["bob"]
    assert harness.in_tenant("alpha", claim, harness.hall, order["id"], operator(a, "bob"))["assignee"] == a["bob"]
    with pytest.raises(NotAllowed):
        harness.in_tenant("alpha", comment, harness.hall, order["id"], operator(a, "ann"), "We are on it", public=True)
    # an internal note by a colleague is fine and does not take the order over
    noted = harness.in_tenant(
        "alpha", comment, harness.hall, order["id"], operator(a, "ann"), "I know this customer", public=False
    )
    assert noted["assignee"] == a["bob"]


def test_permissions_of_the_type_and_of_other_departments(world):
    harness, ids, _ = world
    a = ids["alpha"]
    cs_order = _open(harness, ids)
    bill_order = _open(harness, ids, topic="billing")
    with pytest.raises(NotFound):  # carl is in billing only: a CS order does not exist for him
        harness.in_tenant("alpha", claim, harness.hall, cs_order["id"], operator(a, "carl"))
    with pytest.raises(NotAllowed):  # the type's permission testwo.resolve
        harness.in_tenant(
            "alpha", transition, harness.hall, bill_order["id"], "resolve", operator(a, "carl"), comment="done"
        )
    with pytest.raises(NotAllowed):  # customers take customer actions only
        harness.in_tenant("alpha", transition, harness.hall, cs_order["id"], "start", customer(a))
    with pytest.raises(Conflict):  # not from this state
        harness.in_tenant("alpha", transition, harness.hall, cs_order["id"], "close", customer(a))
    with pytest.raises(InvalidData):
        harness.in_tenant(
            "alpha", transition, harness.hall, cs_order["id"], "resolve", operator(a, "ann")
        )  # needs a comment
    with pytest.raises(NotFound):  # another tenant's customer
        harness.in_tenant("alpha", transition, harness.hall, cs_order["id"], "cancel", customer(ids["beta"]))


def test_transfer_moves_ownership_formally(world):
    harness, ids, _ = world
    a = ids["alpha"]
    order = _open(harness, ids)
    harness.in_tenant("alpha", claim, harness.hall, order["id"], operator(a, "ann"))
    with pytest.raises(InvalidData):
        harness.in_tenant(
            "alpha", transfer, harness.hall, order["id"], operator(a, "ann"), reason="", department="BILL"
        )
    with pytest.raises(InvalidData):  # ann is not a billing member
        harness.in_tenant(
            "alpha",
            transfer,
            harness.hall,
            order["id"],
            operator(a, "ann"),
            reason="billing",
            department="BILL",
            operator=a["ann"],
        )
    with pytest.raises(NotAllowed):
        harness.in_tenant(
            "alpha", transfer, harness.hall, order["id"], operator(a, "bob"), reason="mine", operator=a["bob"]
        )
    moved = harness.in_tenant(
        "alpha",
        transfer,
        harness.hall,
        order["id"],
        operator(a, "ann"),
        reason="a billing question",
        department="BILL",
        operator=a["carl"],
    )
    bill = harness.in_tenant("alpha", lambda: Department.select().where(Department.code == "BILL").first())
    assert (moved["department"], moved["assignee"]) == (bill["id"], a["carl"])
    with pytest.raises(NotFound):  # ann no longer sees it: not her department, not hers
        harness.in_tenant("alpha", claim, harness.hall, order["id"], operator(a, "ann"))
    # to a department only: unowned there, the next one to act owns it
    back = harness.in_tenant(
        "alpha", transfer, harness.hall, order["id"], operator(a, "carl"), reason="not billing", department="CS"
    )
    assert back["assignee"] is None
    assert harness.in_tenant("alpha", claim, harness.hall, order["id"], operator(a, "bob"))["assignee"] == a["bob"]


def test_full_loop_history_and_hook(world, mail_sink):
    harness, ids, seen = world
    a = ids["alpha"]
    order = _open(harness, ids)
    ann = operator(a, "ann")
    harness.in_tenant("alpha", transition, harness.hall, order["id"], "start", ann)
    harness.in_tenant("alpha", comment, harness.hall, order["id"], ann, "Looking into it", public=True)
    harness.in_tenant("alpha", comment, harness.hall, order["id"], ann, "Cable cut on street 5", public=False)
    harness.in_tenant("alpha", transition, harness.hall, order["id"], "resolve", ann, comment="Fixed the cable")
    harness.in_tenant("alpha", transition, harness.hall, order["id"], "reopen", customer(a))
    harness.in_tenant("alpha", transition, harness.hall, order["id"], "resolve", ann, comment="Fixed again")
    with pytest.raises(NotAllowed):
        harness.in_tenant("alpha", rate, harness.hall, order["id"], ann, 5)
    rated = harness.in_tenant("alpha", rate, harness.hall, order["id"], customer(a), 4, "ok")
    closed = harness.in_tenant("alpha", transition, harness.hall, order["id"], "close", customer(a))
    with pytest.raises(Conflict):
        harness.in_tenant("alpha", rate, harness.hall, order["id"], customer(a), 5)
    assert (
        rated["rating"] == 4
        and closed["reopen_count"] == 1
        and closed["closed_at"] is not None
        and closed["resolved_at"] is not None
    )
    events = harness.in_tenant(
        "alpha",
        lambda: WorkOrderEvent.select().where(WorkOrderEvent.workorder == order["id"]).order_by(WorkOrderEvent.id),
    )
    actions = [(e["action"], e["actor_kind"], e["from_state"], e["to_state"]) for e in events]
    assert actions == [
        ("open", "customer", "", "new"),
        ("start", "operator", "new", "in_progress"),
        ("comment", "operator", "in_progress", "in_progress"),
        ("comment", "operator", "in_progress", "in_progress"),
        ("resolve", "operator", "in_progress", "resolved"),
        ("reopen", "customer", "resolved", "in_progress"),
        ("resolve", "operator", "in_progress", "resolved"),
        ("rate", "customer", "resolved", "resolved"),
        ("close", "customer", "resolved", "closed"),
    ]
    assert [s[2] for s in seen if s[1] == order["number"]] == [a[0] for a in actions]  # the hook saw every change
    comments = harness.in_tenant(
        "alpha",
        lambda: (
            WorkOrderComment.select().where(WorkOrderComment.workorder == order["id"]).order_by(WorkOrderComment.id)
        ),
    )
    assert [(c["public"], c["body"]) for c in comments][:2] == [
        (True, "Looking into it"),
        (False, "Cable cut on street 5"),
    ]
    with pytest.raises(Conflict):
        harness.in_tenant("alpha", comment, harness.hall, order["id"], ann, "late", public=True)


def test_a_failing_hook_rolls_the_change_back(hall_factory):
    from workorder_support import build

    class Boom(list):
        def append(self, item):
            if item[2] == "start":
                raise RuntimeError("plugin refuses")
            super().append(item)

    harness, ids = build(hall_factory, Boom())
    order = _open(harness, ids)
    with pytest.raises(RuntimeError):
        harness.in_tenant("alpha", transition, harness.hall, order["id"], "start", operator(ids["alpha"], "ann"))
    again = harness.in_tenant("alpha", lambda: WorkOrder.select().where(WorkOrder.id == order["id"]).first())
    assert (again["state"], again["assignee"]) == ("new", None)
    assert harness.in_tenant("alpha", lambda: WorkOrderEvent.count()) == 1


def test_visitor_orders_need_a_contact(world):
    from core.workorders import Actor

    harness, ids, _ = world
    clerk = operator(ids["alpha"], "ann")
    with pytest.raises(InvalidData) as exc:
        harness.in_tenant(
            "alpha",
            open_order,
            harness.hall,
            "testwo.ticket",
            {"topic": "other", "text": "x"},
            title="Walk-in",
            actor=clerk,
        )
    assert "contact_phone" in exc.value.errors
    order = harness.in_tenant(
        "alpha",
        open_order,
        harness.hall,
        "testwo.ticket",
        {"topic": "other", "text": "x"},
        title="Walk-in",
        actor=clerk,
        contact={"name": "Visitor", "phone": "13700000000"},
    )
    assert order["customer"] is None and order["assignee"] == ids["alpha"]["ann"]  # the clerk who took it owns it
    assert Actor.system().kind == "system"


def test_deadline_settings_are_validated_with_file_and_key(hall_factory):
    from workorder_support import build

    from core.config import ConfigError

    with pytest.raises(ConfigError) as exc:
        build(hall_factory, plugin_settings={"testwo": {"workorder_deadline_hours": {"tciket": 3}}})
    issue = exc.value.issues[0]
    assert issue.key.startswith("plugins.testwo.workorder_deadline_hours") and issue.file.endswith("alpha/tenant.toml")
    assert "tciket" in issue.reason


def test_two_operators_acting_at_once_one_wins(world):
    import asyncio

    from core.tenancy import tenant_scope
    from core.workorders import WorkOrderError

    harness, ids, _ = world
    a = ids["alpha"]
    order = _open(harness, ids)

    async def act(name):
        with tenant_scope(harness.tenant("alpha")):
            try:
                return await transition(harness.hall, order["id"], "start", operator(a, name))
            except WorkOrderError as exc:
                return exc

    async def both():
        return await asyncio.gather(act("ann"), act("bob"))

    results = harness.run(both())
    won = [r for r in results if isinstance(r, dict)]
    lost = [r for r in results if isinstance(r, (Conflict, NotAllowed))]
    assert len(won) == 1 and len(lost) == 1
    events = harness.in_tenant("alpha", lambda: WorkOrderEvent.select().where(WorkOrderEvent.action == "start"))
    assert len(events) == 1 and events[0]["actor_id"] == won[0]["assignee"]


def test_the_customer_hears_of_public_steps_only(world):
    from core.notify.tables import Message

    harness, ids, _ = world
    a = ids["alpha"]
    order = _open(harness, ids)
    ann = operator(a, "ann")
    harness.in_tenant("alpha", transition, harness.hall, order["id"], "start", ann)
    harness.in_tenant("alpha", transition, harness.hall, order["id"], "note", ann)  # internal step
    harness.in_tenant("alpha", comment, harness.hall, order["id"], ann, "internal remark", public=False)
    harness.in_tenant("alpha", transition, harness.hall, order["id"], "resolve", ann, comment="Fixed the cable")
    mails = harness.in_tenant(
        "alpha", lambda: Message.select().where(Message.recipient == "cust-alpha@example.com").order_by(Message.id)
    )
    assert len(mails) == 3  # opened, started, resolved
    assert all(order["number"] in m["subject"] for m in mails)
    assert "Fixed the cable" in mails[-1]["body_text"] and "您的受理单" in mails[-1]["body_text"]
    assert not any("internal remark" in m["body_text"] for m in mails)


def test_a_broken_type_declaration_stops_start_up(hall_factory):
    import dataclasses
    import types as pytypes

    from workorder_support import TICKET

    from core.config import ConfigError
    from core.hookspecs import hookimpl

    broken = pytypes.ModuleType("broken")
    broken.register_workorder_types = hookimpl(
        lambda hall: [dataclasses.replace(TICKET, code="broken.x", initial="nowhere")]
    )
    with pytest.raises(ConfigError) as exc:
        hall_factory(extra_plugins={"broken": broken})
    assert "nowhere" in exc.value.issues[0].reason and exc.value.issues[0].key == "register_workorder_types"
