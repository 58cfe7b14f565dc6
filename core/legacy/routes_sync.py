"""Console: legacy sync status per kind (last run, rows, lag, error), the quarantine, retry and run-now, reconciliation,
the look-back and the change reconciliation (watermark, re-read vs changed, last full comparison and what it repaired)."""

from __future__ import annotations

import datetime as dt

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from core.legacy.billing_tables import Quarantine
from core.legacy.change_reconcile import changes_checkable, last_runs
from core.legacy.look_back import LookBackSource, look_back_for, look_back_minutes
from core.legacy.reconcile import reconcilable
from core.legacy.services import retry_quarantine, sync_now
from core.legacy.sync_jobs import KINDS, offers
from core.legacy.settings import legacy_settings
from core.legacy.tables import SyncState
from core.web.dependencies import AuditorDep, HallDep, TenantDep
from core.web.paging import paginate
from core.web.context import info
from core.web.render import redirect_to, render

MANAGE = {"auth": "operator", "permission": "core.sync.manage"}


def _watermark_shown(connector, kind: str, watermark: str):
    """The watermark as a time when the connector can read one from it, else its text (shortened)."""
    if not watermark:
        return None
    if isinstance(connector, LookBackSource):
        try:
            moment = connector.watermark_time(kind, watermark)
        except ValueError:
            moment = None
        if moment is not None:
            return moment
    describe = getattr(connector, "watermark_text", None)  # a connector may say what its positions mean
    text = (describe(kind, watermark) if describe else None) or watermark
    return text if len(text) <= 90 else text[:87] + "…"


def _changes(tenant, connector, kind: str, run: dict | None, now: dt.datetime) -> dict:
    """The look-back and change-reconciliation columns of one kind."""
    settings = legacy_settings(tenant)
    every = settings.change_check_every_hours
    scheduled = kind in settings.change_check_kinds and changes_checkable(connector, kind)
    finished = run["finished_at"] if run else None
    repaired = (run["changed"] + run["missing"] + run["deleted"]) if run else 0
    return {
        "look_back": look_back_minutes(tenant, kind),
        "look_back_applies": look_back_for(tenant, connector, kind) is not None,
        "checkable": changes_checkable(connector, kind),
        "scheduled": scheduled,
        "check_every_hours": every,
        "check": run,
        "check_repaired": repaired,
        "check_overdue": scheduled and (finished is None or now - finished > dt.timedelta(hours=2 * every)),
    }


async def _states(request: Request) -> list[dict]:
    hall = request.app.state.hall
    tenant = info(request).tenant
    connector = hall.connector(tenant)
    rows = {r["kind"]: r for r in await SyncState.select()}
    runs = await last_runs(KINDS)
    now = dt.datetime.now(dt.timezone.utc)
    out = []
    for kind in KINDS:
        row = rows.get(kind, {})
        success = row.get("last_success_at")
        out.append(
            {
                "kind": kind,
                "offered": offers(connector, kind),
                "last_run_at": row.get("last_run_at"),
                "last_success_at": success,
                "lag_minutes": int((now - success).total_seconds() // 60) if success else None,
                "rows_last_run": row.get("rows_last_run", 0),
                "rows_total": row.get("rows_total", 0),
                "last_error": row.get("last_error", ""),
                "reconcilable": reconcilable(connector, kind),
                "reconciled_at": row.get("reconciled_at"),
                "reconcile_removed": row.get("reconcile_removed", 0),
                "reconcile_note": row.get("reconcile_note", ""),
                "quarantined": await Quarantine.count().where(
                    (Quarantine.kind == kind) & Quarantine.resolved_at.is_null()
                ),
                "watermark": _watermark_shown(connector, kind, row.get("watermark", "")),
                "reread_last_run": row.get("reread_last_run", 0),
                "changed_last_run": row.get("changed_last_run", 0),
                **_changes(tenant, connector, kind, runs.get(kind), now),
            }
        )
    return out


@get("/console/sync", opt=MANAGE, name="console:sync")
async def sync_status(request: Request) -> Response:
    kind = request.query_params.get("kind", "")
    query = Quarantine.select().where(Quarantine.resolved_at.is_null()).order_by(Quarantine.id, ascending=False)
    if kind in KINDS:
        query = query.where(Quarantine.kind == kind)
    page = await paginate(request, query)
    return await render(
        request,
        "console/sync.html",
        {
            "states": await _states(request),
            "quarantine": page.rows,
            "kind": kind,
            **page.template_context,
            "done": request.query_params.get("done", ""),
        },
        audience="operator",
    )


def _offered_kind(request: Request, kind: str) -> str:
    connector = request.app.state.hall.connector(info(request).tenant)
    if kind not in KINDS or not offers(connector, kind):
        raise NotFoundException()
    return kind


@post("/console/sync/{kind:str}/run", opt=MANAGE, name="console:sync.run")
async def sync_run(request: Request, kind: FromPath[str], tenant: TenantDep, auditor: AuditorDep) -> Response:
    """Queue a sync of ``kind`` now (a job: a worker on PostgreSQL, this process on SQLite)."""
    await sync_now(request.app.state.jobs, auditor, tenant, _offered_kind(request, kind))
    return redirect_to(request, "console:sync", query={"done": "queued"})


@post("/console/sync/{kind:str}/retry", opt=MANAGE, name="console:sync.retry")
async def sync_retry(
    request: Request, kind: FromPath[str], hall: HallDep, tenant: TenantDep, auditor: AuditorDep
) -> Response:
    """Re-read the quarantined rows of ``kind`` from the legacy system and validate them again."""
    await retry_quarantine(hall, auditor, tenant, _offered_kind(request, kind))
    return redirect_to(request, "console:sync", query={"done": "retried"})


HANDLERS = [sync_status, sync_run, sync_retry]
