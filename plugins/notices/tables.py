"""The notices table (tenant-owned)."""

from piccolo.columns import Boolean, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from core.api.db import TenantTable


class Notice(TenantTable, tablename="notices_notice"):
    title = Varchar(length=120)
    body = Text()
    published = Boolean(default=True, index=True)
    author = Varchar(length=64, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
