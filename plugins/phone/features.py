"""Long-distance and international on/off (开/停长途): a request to the BSS through the outbox, pending until the
BSS's own line (the ``lines`` port, read live) shows the new state. Each request is the public API's TMF641
serviceOrder too: its creation, replacement (``replaced``, TMF's ``cancelled``) and confirmation (``completed``) are
told to the hub's listeners in the transaction of the change."""

from __future__ import annotations

from core.api import N_
from core.api.db import transaction
from core.api.legacy import ServiceLineSource, emit
from core.api.tmf import PREFIX, publish_event
from . import clock

from .tables import FeatureRequest

REPLACED = "replaced"  # a newer request for the same number and feature came: kept, never re-used (its id, its event)
FEATURES = {"long_distance": N_("Domestic long distance"), "international": N_("International calls")}


def lines_of(hall, tenant) -> ServiceLineSource | None:
    connector = hall.connector(tenant)
    return connector if isinstance(connector, ServiceLineSource) else None


async def request(
    account_id: int, customer_id: str, number: str, feature: str, wanted: bool, external_id: str | None = None
) -> dict:
    """Ask the BSS to switch ``feature`` on or off; one pending request per number and feature (the newest wins: an
    older pending one becomes ``replaced``, kept so that its id - and its outbox event id - is never used again).

    ``external_id`` (the API's ``externalId``): the customer's request with that id already made is answered again,
    nothing sent twice; the unique index on (tenant, account_id, external_id) settles two at once."""
    if feature not in FEATURES:
        raise ValueError(feature)
    if external_id:
        found = await _by_external(account_id, external_id)
        if found is not None:
            return found
    try:
        async with transaction():
            if external_id:  # made meanwhile (SQLite's IMMEDIATE transactions serialize here)
                found = await _by_external(account_id, external_id)
                if found is not None:
                    return found
            others = (FeatureRequest.number == number) & (FeatureRequest.feature == feature)
            if external_id:  # never replace the request with this externalId: the unique index keeps it one
                others = others & (FeatureRequest.external_id.is_null() | (FeatureRequest.external_id != external_id))
            replaced = (
                await FeatureRequest.update({FeatureRequest.state: REPLACED})
                .where(others & (FeatureRequest.state == "pending"))
                .returning(FeatureRequest.id, FeatureRequest.external_id)
            )
            for old in replaced:
                await publish_event("ServiceOrderStateChangeEvent", event_of(old, "cancelled"))
            row = FeatureRequest(
                number=number,
                account_id=account_id,
                feature=feature,
                wanted=wanted,
                external_id=external_id or None,
                created_at=clock.now(),
            )
            await row.save()
            event = await emit(
                "line.features.requested",
                {"number": number, "customer_id": customer_id, "feature": feature, "wanted": wanted, "request": row.id},
                event_id=f"phone-feature-{row.id}",
            )
            await FeatureRequest.update({FeatureRequest.event_id: event}).where(FeatureRequest.id == row.id)
            await publish_event(
                "ServiceOrderCreateEvent", event_of({"id": row.id, "external_id": external_id}, "inProgress")
            )
    except Exception as exc:  # the unique index: the same externalId at the same moment
        found = await _by_external(account_id, external_id) if external_id else None
        if found is None or not ("unique" in str(exc).lower() or "duplicate" in str(exc).lower()):
            raise
        return found
    return await FeatureRequest.select().where(FeatureRequest.id == row.id).first()


async def _by_external(account_id: int, external_id: str) -> dict | None:
    return (
        await FeatureRequest.select()
        .where((FeatureRequest.account_id == account_id) & (FeatureRequest.external_id == external_id))
        .first()
    )


def event_of(row: dict, state: str) -> dict:
    """The hub's reference to a request (TMF641 serviceOrder): no number, no customer."""
    order = {"id": str(row["id"]), "href": f"{PREFIX}/serviceOrder/{row['id']}", "state": state}
    if row.get("external_id"):
        order["externalId"] = row["external_id"]
    return {"serviceOrder": order}


async def confirm(source: ServiceLineSource, numbers: list[str] | None = None) -> int:
    """Mark confirmed every pending request the BSS's line now shows; how many were."""
    query = FeatureRequest.select().where(FeatureRequest.state == "pending")
    if numbers is not None:
        query = query.where(FeatureRequest.number.is_in(numbers or [""]))
    done = 0
    for row in await query:
        line = await source.line_by_number(row["number"])
        if line is not None and bool(getattr(line, row["feature"])) == row["wanted"]:
            async with transaction():  # one state change, told once (the conditional update decides who tells)
                moved = (
                    await FeatureRequest.update(
                        {FeatureRequest.state: "confirmed", FeatureRequest.confirmed_at: clock.now()}
                    )
                    .where((FeatureRequest.id == row["id"]) & (FeatureRequest.state == "pending"))
                    .returning(FeatureRequest.id)
                )
                if moved:
                    await publish_event("ServiceOrderStateChangeEvent", event_of(row, "completed"))
            done += len(moved)
    return done


async def pending_of(numbers: list[str]) -> dict[tuple[str, str], dict]:
    rows = await FeatureRequest.select().where(
        (FeatureRequest.state == "pending") & FeatureRequest.number.is_in(numbers or [""])
    )
    return {(r["number"], r["feature"]): r for r in rows}


async def request_of(hall, tenant, account_id: int, request_id: int) -> dict | None:
    """The customer's own request, confirmed first if the BSS's line already shows it (as the lines page does)."""
    row = (
        await FeatureRequest.select()
        .where((FeatureRequest.id == request_id) & (FeatureRequest.account_id == account_id))
        .first()
    )
    source = lines_of(hall, tenant)
    if row is None or source is None or row["state"] != "pending":
        return row
    await confirm(source, [row["number"]])
    return await FeatureRequest.select().where(FeatureRequest.id == request_id).first()


async def requests_of(
    hall, tenant, account_id: int, offset: int, limit: int, state: str | None = None, external_id: str | None = None
) -> tuple[list[dict], int]:
    """A page of the customer's requests, newest first, and how many there are; pending ones the BSS's line already
    shows are confirmed first (as :func:`request_of` does), so a ``state`` filter reads the truth."""
    mine = FeatureRequest.account_id == account_id
    source = lines_of(hall, tenant)
    if source is not None:
        pending = await FeatureRequest.select(FeatureRequest.number).where(mine & (FeatureRequest.state == "pending"))
        if pending:
            await confirm(source, sorted({r["number"] for r in pending}))
    where = mine
    if state:
        where = where & (FeatureRequest.state == state)
    if external_id:
        where = where & (FeatureRequest.external_id == external_id)
    rows = (
        await FeatureRequest.select()
        .where(where)
        .order_by(FeatureRequest.id, ascending=False)
        .offset(offset)
        .limit(limit)
    )
    return rows, await FeatureRequest.count().where(where)
