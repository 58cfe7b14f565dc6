"""Long-distance and international on/off (开/停长途): a request to the BSS through the outbox, pending until the
BSS's own line (the ``lines`` port, read live) shows the new state."""

from __future__ import annotations

from core.api import N_
from core.api.db import transaction
from core.api.legacy import ServiceLineSource, emit
from . import clock

from .tables import FeatureRequest

FEATURES = {"long_distance": N_("Domestic long distance"), "international": N_("International calls")}


def lines_of(hall, tenant) -> ServiceLineSource | None:
    connector = hall.connector(tenant)
    return connector if isinstance(connector, ServiceLineSource) else None


async def request(account_id: int, customer_id: str, number: str, feature: str, wanted: bool) -> dict:
    """Ask the BSS to switch ``feature`` on or off; one pending request per number and feature (the newest wins)."""
    if feature not in FEATURES:
        raise ValueError(feature)
    async with transaction():
        await FeatureRequest.delete().where(
            (FeatureRequest.number == number)
            & (FeatureRequest.feature == feature)
            & (FeatureRequest.state == "pending")
        )
        row = FeatureRequest(
            number=number, account_id=account_id, feature=feature, wanted=wanted, created_at=clock.now()
        )
        await row.save()
        event = await emit(
            "line.features.requested",
            {"number": number, "customer_id": customer_id, "feature": feature, "wanted": wanted, "request": row.id},
            event_id=f"phone-feature-{row.id}",
        )
        await FeatureRequest.update({FeatureRequest.event_id: event}).where(FeatureRequest.id == row.id)
    return await FeatureRequest.select().where(FeatureRequest.id == row.id).first()


async def confirm(source: ServiceLineSource, numbers: list[str] | None = None) -> int:
    """Mark confirmed every pending request the BSS's line now shows; how many were."""
    query = FeatureRequest.select().where(FeatureRequest.state == "pending")
    if numbers is not None:
        query = query.where(FeatureRequest.number.is_in(numbers or [""]))
    done = 0
    for row in await query:
        line = await source.line_by_number(row["number"])
        if line is not None and bool(getattr(line, row["feature"])) == row["wanted"]:
            await FeatureRequest.update(
                {FeatureRequest.state: "confirmed", FeatureRequest.confirmed_at: clock.now()}
            ).where(FeatureRequest.id == row["id"])
            done += 1
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
