"""The settlement's own SQL, written once: the hot path of a payment notification without Piccolo's query builder.

Why: building a query with Piccolo costs about 0.2-0.4 ms of CPU per
statement (measured with bench/notify_profile.py), more than SQLite takes to
run it, and a settlement runs while it holds SQLite's single write lock. These
statements are plain parameterised SQL run through :func:`core.db.engine.fetch`
(the engine's own ``run_querystring``, so they join the caller's transaction as Piccolo's queries
do). Every one names the tenant in its ``WHERE`` or its row: this module is the
tenant scoping for the statements it runs, as ``TenantTable`` is for the others.
"""

from __future__ import annotations

import datetime as dt
import functools

from core.db.engine import fetch
from core.payments.model import SUCCEEDED
from core.payments.tables import PaymentEvent, PaymentIntent

INTENT = PaymentIntent._meta.tablename
EVENT = PaymentEvent._meta.tablename


@functools.cache
def _intent_columns() -> str:
    return ", ".join(f'"{c._meta.db_column_name}"' for c in PaymentIntent._meta.columns)


def _timestamps(row: dict) -> dict:
    """SQLite hands back RETURNING timestamps as text (no declared type there): datetimes, as a SELECT gives them."""
    for column in ("created_at", "updated_at", "succeeded_at", "fulfilled_at"):
        value = row.get(column)
        if isinstance(value, str):
            row[column] = dt.datetime.fromisoformat(value)
    return row


async def intent_row(tenant_id: str, public_id: str) -> dict | None:
    """The intent's row in ``tenant_id``, or None (one indexed SELECT; no lock)."""
    rows = await fetch(
        f'SELECT {_intent_columns()} FROM "{INTENT}" WHERE "tenant" = {{}} AND "public_id" = {{}}', tenant_id, public_id
    )
    return _timestamps(rows[0]) if rows else None


async def claim_success(
    tenant_id: str, row_id: int, seen_state: str, provider_ref: str, stamp: dt.datetime, fulfilled: bool
) -> dict | None:
    """Move the intent to succeeded if it is still in ``seen_state``; the new row, or None when someone else moved it first.

    The exactly-once step: one conditional UPDATE. ``seen_state`` is a settleable
    state read before the write lock was taken; if the row changed since, nothing
    is updated and the caller settles it again the careful way.
    """
    rows = await fetch(
        f'UPDATE "{INTENT}" SET "state" = {{}}, "provider_ref" = {{}}, "succeeded_at" = {{}}, "updated_at" = {{}}, '
        f'"fulfilled_at" = {{}} WHERE "tenant" = {{}} AND "id" = {{}} AND "state" = {{}} RETURNING {_intent_columns()}',
        SUCCEEDED,
        provider_ref[:64],
        stamp,
        stamp,
        stamp if fulfilled else None,
        tenant_id,
        row_id,
        seen_state,
    )
    return _timestamps(rows[0]) if rows else None


async def insert_event(
    tenant_id: str,
    *,
    intent_id: str,
    kind: str,
    provider: str,
    from_state: str,
    to_state: str,
    accepted: bool,
    reason: str,
    data_json: str,
    created_at: dt.datetime,
) -> None:
    """One ledger row (inside the caller's transaction when there is one); ``data_json`` is the data as JSON text."""
    await fetch(
        f'INSERT INTO "{EVENT}" ("tenant", "intent_id", "kind", "provider", "from_state", "to_state", "accepted", "reason", '
        f'"data", "created_at") VALUES ({{}}, {{}}, {{}}, {{}}, {{}}, {{}}, {{}}, {{}}, {{}}, {{}})',
        tenant_id,
        intent_id,
        kind,
        provider,
        from_state,
        to_state,
        accepted,
        reason,
        data_json,
        created_at,
    )
