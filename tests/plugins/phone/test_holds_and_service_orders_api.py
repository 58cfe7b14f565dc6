"""The last pieces of the phone API with an app's customer token: a number hold read and released (another customer's,
or another tenant's, is 404; one in a placed order is 409), and service orders listed (TMF630 paging and filters),
with an externalId that makes a retry the same request, and their hub events (created, replaced, completed)."""

from __future__ import annotations

import asyncio
import dataclasses
import json

from product_support import MOBILE
from test_long_distance_api import switch
from test_new_line_api import PLACE, install
from test_phone_api import API, app
from api_support import register_client  # on the path through test_phone_api

from core.api.legacy import OutboxEvent
from core.db.scoping import all_tenants
from core.tmf import hub
from plugins.phone.tables import FeatureRequest, NumberHold


TMF_ERROR = {"code", "reason", "message", "status"}


def test_a_hold_is_read_listed_released_and_kept_once_in_an_order(world):
    http, auth = app(world)
    held = http.post(f"{API}/phoneNumberHold", headers=auth, json={"number": "13911110000"})
    assert held.status_code == 201, held.text
    hold = held.json()
    assert hold["href"].endswith(f"/phoneNumberHold/{hold['id']}") and hold["state"] == "held"
    got = http.get(f"{API}/phoneNumberHold/{hold['id']}", headers=auth)
    assert got.status_code == 200 and got.json()["number"] == "13911110000" and got.json()["expiryDate"], got.text
    listed = http.get(f"{API}/phoneNumberHold", headers=auth, params={"fields": "state"})
    assert listed.headers["X-Total-Count"] == "1" and listed.json() == [
        {"id": hold["id"], "href": hold["href"], "@type": "PhoneNumberHold", "state": "held"}
    ]
    other = world.harness.client("alpha")  # another customer's hold, taken on the web page
    other.login_customer("13900000009")
    other.post("/phone/numbers", {"number": "13911113333"})
    theirs = world.run(lambda: NumberHold.select().where(NumberHold.number == "13911113333").first())
    assert http.get(f"{API}/phoneNumberHold/{theirs['id']}", headers=auth).status_code == 404
    gone = http.delete(f"{API}/phoneNumberHold/{theirs['id']}", headers=auth)
    assert gone.status_code == 404 and set(gone.json()) == TMF_ERROR
    assert world.run(lambda: NumberHold.select().where(NumberHold.id == theirs["id"]).first())["state"] == "held"

    async def elsewhere():  # the same customer account id, in another tenant
        with all_tenants():
            rows = await NumberHold.insert(
                NumberHold(tenant="beta", number="13800000000", account_id=world.account, state="held")
            ).returning(NumberHold.id)
        return rows[0]["id"]

    foreign = world.harness.run(elsewhere())
    assert http.get(f"{API}/phoneNumberHold/{foreign}", headers=auth).status_code == 404
    assert http.delete(f"{API}/phoneNumberHold/{foreign}", headers=auth).status_code == 404
    assert http.get(f"{API}/phoneNumberHold/abc", headers=auth).status_code == 404

    released = http.delete(f"{API}/phoneNumberHold/{hold['id']}", headers=auth)
    assert released.status_code == 204, released.text
    assert http.get(f"{API}/phoneNumberHold/{hold['id']}", headers=auth).json()["state"] == "released"
    told = world.run(lambda: OutboxEvent.select().where(OutboxEvent.kind == "number.released"))
    assert [e["payload"]["number"] for e in told] == ["13911110000"]  # the BSS frees it, once
    assert http.delete(f"{API}/phoneNumberHold/{hold['id']}", headers=auth).status_code == 204  # a retry
    assert len(world.run(lambda: OutboxEvent.select().where(OutboxEvent.kind == "number.released"))) == 1

    again = http.post(f"{API}/phoneNumberHold", headers=auth, json={"number": "13911118888"}).json()
    placed = http.post(f"{API}/productOrder", headers=auth, json=install("m128", "h1", **PLACE))
    assert placed.status_code == 201, placed.text
    kept = http.get(f"{API}/phoneNumberHold/{again['id']}", headers=auth).json()
    assert kept["state"] == "ordered" and kept["productOrder"]["id"] == placed.json()["id"]
    refused = http.delete(f"{API}/phoneNumberHold/{again['id']}", headers=auth)
    assert refused.status_code == 409 and refused.json()["code"] == "in_order", refused.text
    assert set(refused.json()) == TMF_ERROR
    assert world.run(lambda: NumberHold.select().where(NumberHold.id == int(again["id"])).first())["state"] == "ordered"
    assert http.get(f"{API}/phoneNumberHold", headers=auth).headers["X-Total-Count"] == "2"


def _listen(world) -> None:
    console = world.harness.client("alpha")
    console.login_operator("alpha-admin")
    partner = register_client(console, "partner", ["catalog.read", "events"])
    http = world.harness.client("alpha").http
    token = http.post(
        "/api/oauth/token", data={"grant_type": "client_credentials"}, auth=(partner["client_id"], partner["secret"])
    ).json()["access_token"]
    body = {
        "callback": "https://partner.example.com/ev",
        "query": "eventType=ServiceOrderCreateEvent,ServiceOrderStateChangeEvent",
    }
    assert http.post(f"{API}/hub", headers={"Authorization": f"Bearer {token}"}, json=body).status_code == 201


def _delivered(world, monkeypatch) -> list[tuple[str, dict]]:
    received = []

    async def fake_send(url, body, headers):
        received.append(json.loads(body))
        return 200

    monkeypatch.setattr(hub, "send", fake_send)
    world.run(hub.deliver_due, world.harness.hall, "alpha")
    return [(e["eventType"], e["event"]["serviceOrder"]) for e in received]


def test_service_orders_are_listed_kept_by_external_id_and_told_to_the_hub(world, monkeypatch):
    http, auth = app(world)
    _listen(world)
    conn = world.connector()
    conn.lines[MOBILE] = dataclasses.replace(conn.lines[MOBILE], long_distance=True, international=False)
    first = http.post(f"{API}/serviceOrder", headers=auth, json={**switch(MOBILE), "externalId": "ld-1"})
    assert first.status_code == 201 and first.json()["externalId"] == "ld-1", first.text
    retry = http.post(f"{API}/serviceOrder", headers=auth, json={**switch(MOBILE), "externalId": "ld-1"})
    assert retry.status_code == 201 and retry.json()["id"] == first.json()["id"]
    sent = world.run(lambda: OutboxEvent.select().where(OutboxEvent.kind == "line.features.requested"))
    assert len(sent) == 1  # the retry sent nothing to the BSS
    intl = http.post(
        f"{API}/serviceOrder", headers=auth, json={**switch(MOBILE, "international", "on"), "externalId": "in-1"}
    )
    assert intl.status_code == 201, intl.text
    newer = http.post(f"{API}/serviceOrder", headers=auth, json={**switch(MOBILE, value="off"), "externalId": "ld-2"})
    assert newer.status_code == 201
    replaced = http.get(f"{API}/serviceOrder/{first.json()['id']}", headers=auth)
    assert replaced.status_code == 200 and replaced.json()["state"] == "cancelled", replaced.text
    late = http.post(f"{API}/serviceOrder", headers=auth, json={**switch(MOBILE), "externalId": "ld-1"})
    assert late.json()["id"] == first.json()["id"] and late.json()["state"] == "cancelled"  # a late retry: no resend

    page = http.get(f"{API}/serviceOrder", headers=auth, params={"limit": 1})
    assert page.status_code == 200, page.text
    assert page.headers["X-Total-Count"] == "3" and page.headers["X-Result-Count"] == "1"
    assert page.json()[0]["id"] == newer.json()["id"]  # newest first
    rest = http.get(
        f"{API}/serviceOrder", headers=auth, params={"offset": 1, "limit": 1, "fields": "externalId,state"}
    ).json()
    assert rest == [
        {
            "id": intl.json()["id"],
            "href": intl.json()["href"],
            "@type": "ServiceOrder",
            "externalId": "in-1",
            "state": "inProgress",
        }
    ]
    only = http.get(f"{API}/serviceOrder", headers=auth, params={"externalId": "in-1"}).json()
    assert [o["id"] for o in only] == [intl.json()["id"]]
    assert http.get(f"{API}/serviceOrder", headers=auth, params={"state": "completed"}).json() == []
    cancelled = http.get(f"{API}/serviceOrder", headers=auth, params={"state": "cancelled"}).json()
    assert [o["externalId"] for o in cancelled] == ["ld-1"]

    conn.lines[MOBILE] = dataclasses.replace(conn.lines[MOBILE], international=True)  # the BSS did it
    done = http.get(f"{API}/serviceOrder", headers=auth, params={"state": "completed"})
    assert [o["externalId"] for o in done.json()] == ["in-1"] and done.json()[0]["completionDate"]
    assert http.get(f"{API}/serviceOrder", headers=auth, params={"state": "nonsense"}).json() == []
    assert world.run(lambda: FeatureRequest.count().where(FeatureRequest.state == "confirmed")) == 1

    told = _delivered(world, monkeypatch)
    created = [o["externalId"] for kind, o in told if kind == "ServiceOrderCreateEvent"]
    assert sorted(created) == ["in-1", "ld-1", "ld-2"]  # the retry told nothing
    changes = {(o["externalId"], o["state"]) for kind, o in told if kind == "ServiceOrderStateChangeEvent"}
    assert changes == {("ld-1", "cancelled"), ("in-1", "completed")}
    assert all(set(o) <= {"id", "href", "state", "externalId"} for _, o in told)  # a reference, no number
    http.get(f"{API}/serviceOrder/{intl.json()['id']}", headers=auth)  # read again: told nothing again
    assert _delivered(world, monkeypatch) == []


def test_the_same_external_id_at_the_same_moment_is_one_request(world):
    """Six retries at once (on PostgreSQL each on its own connection): one request, one message to the BSS."""
    from core.api.db import tenant_scope
    from plugins.phone import features

    tenant = world.harness.tenant("alpha")

    async def scenario():
        started = asyncio.Event()

        async def one():
            await started.wait()
            with tenant_scope(tenant):
                return await features.request(world.account, world.customer, MOBILE, "long_distance", True, "race-1")

        tasks = [asyncio.create_task(one()) for _ in range(6)]
        await asyncio.sleep(0)
        started.set()
        return await asyncio.gather(*tasks)

    rows = world.harness.run(scenario())
    assert len({r["id"] for r in rows}) == 1 and rows[0]["external_id"] == "race-1"
    assert world.run(lambda: FeatureRequest.count()) == 1
    assert world.run(lambda: OutboxEvent.count().where(OutboxEvent.kind == "line.features.requested")) == 1


def test_a_retry_that_misses_the_first_request_is_settled_by_the_unique_index(world, monkeypatch):
    """The window PostgreSQL leaves (the first request commits after the retry looked for it): the retry neither
    replaces the first nor sends again; the unique index refuses its row and it answers the first."""
    from core.api.db import tenant_scope
    from plugins.phone import features

    tenant = world.harness.tenant("alpha")

    async def ask():
        with tenant_scope(tenant):
            return await features.request(world.account, world.customer, MOBILE, "long_distance", True, "late-1")

    first = world.harness.run(ask())
    looks = []
    real = features._by_external

    async def blind(account_id, external_id):  # the first two looks see nothing, as if it were not committed yet
        looks.append(external_id)
        return None if len(looks) <= 2 else await real(account_id, external_id)

    monkeypatch.setattr(features, "_by_external", blind)
    again = world.harness.run(ask())
    assert again["id"] == first["id"] and len(looks) == 3 and again["state"] == "pending"
    assert world.run(lambda: FeatureRequest.count()) == 1
    assert world.run(lambda: OutboxEvent.count().where(OutboxEvent.kind == "line.features.requested")) == 1


def test_switching_back_while_pending_replaces_the_request_and_never_reuses_its_id(world):
    """On, then off at once (the page or the API): the first is replaced, not deleted, so SQLite never hands its id
    (and its outbox event id) to the second; the BSS hears both, in order."""
    from core.api.db import tenant_scope
    from plugins.phone import features

    tenant = world.harness.tenant("alpha")

    async def ask(wanted):
        with tenant_scope(tenant):
            return await features.request(world.account, world.customer, MOBILE, "long_distance", wanted)

    on, off = world.harness.run(ask(True)), world.harness.run(ask(False))
    assert off["id"] != on["id"]
    rows = world.run(lambda: FeatureRequest.select().order_by(FeatureRequest.id))
    assert [(r["wanted"], r["state"]) for r in rows] == [(True, "replaced"), (False, "pending")]
    sent = world.run(lambda: OutboxEvent.select().where(OutboxEvent.kind == "line.features.requested"))
    assert [e["payload"]["wanted"] for e in sorted(sent, key=lambda e: e["id"])] == [True, False]
