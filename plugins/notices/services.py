"""Notices: the queries, and the operators' audited changes (tenant scoping is automatic)."""

from __future__ import annotations

import datetime as dt

from core.api.web import Auditor
from plugins.notices.tables import Notice


async def latest(limit: int) -> list[dict]:
    return (
        await Notice.select(Notice.id, Notice.title, Notice.created_at)
        .where(Notice.published.eq(True))
        .order_by(Notice.id, ascending=False)
        .limit(limit)
    )  # noqa: E712


async def get(notice_id: int, published_only: bool = True) -> dict | None:
    query = Notice.select().where(Notice.id == notice_id)
    if published_only:
        query = query.where(Notice.published.eq(True))  # noqa: E712
    return await query.first()


async def create(auditor: Auditor, *, title: str, body: str, published: bool) -> int:
    """A new notice written by the signed-in operator, audited; returns its id."""
    after = {"title": title, "body": body, "published": published}
    rows = await Notice.insert(Notice(**after, author=auditor.actor))
    await auditor.record("notices.create", object_type="notice", object_id=rows[0]["id"], after=after)
    return rows[0]["id"]


async def toggle(auditor: Auditor, notice: dict) -> None:
    """Publish a withdrawn notice, or withdraw a published one (``notice`` as :func:`get` gave it), audited."""
    await Notice.update(
        {Notice.published: not notice["published"], Notice.updated_at: dt.datetime.now(dt.timezone.utc)}
    ).where(Notice.id == notice["id"])
    await auditor.record(
        "notices.publish" if not notice["published"] else "notices.withdraw",
        object_type="notice",
        object_id=notice["id"],
        before={"published": notice["published"]},
        after={"published": not notice["published"]},
    )


async def delete(auditor: Auditor, notice: dict) -> None:
    await Notice.delete().where(Notice.id == notice["id"])
    await auditor.record(
        "notices.delete",
        object_type="notice",
        object_id=notice["id"],
        before={"title": notice["title"], "body": notice["body"]},
    )
