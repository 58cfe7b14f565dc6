"""Queries on notices (tenant scoping is automatic)."""

from __future__ import annotations

from plugins.notices.tables import Notice


async def latest(limit: int) -> list[dict]:
    return await Notice.select(Notice.id, Notice.title, Notice.created_at).where(Notice.published == True).order_by(Notice.id, ascending=False).limit(limit)  # noqa: E712


async def get(notice_id: int, published_only: bool = True) -> dict | None:
    query = Notice.select().where(Notice.id == notice_id)
    if published_only:
        query = query.where(Notice.published == True)  # noqa: E712
    return await query.first()
