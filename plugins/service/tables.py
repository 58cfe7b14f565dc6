"""The service plugin's tables (all tenant-owned): introduction pages, outlets, public Q&A, attachments, submission log."""

from piccolo.columns import Boolean, Bytea, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from core.api.db import TenantTable


class ServicePage(TenantTable, tablename="service_page"):
    """A service or tariff introduction (业务介绍 / 资费). ``body`` is sanitised HTML, cleaned when it is saved."""

    kind = Varchar(length=16, default="service")  # service | tariff
    title = Varchar(length=120)
    summary = Varchar(length=300, default="")
    body = Text(default="")
    monthly_fee = Integer(null=True, default=None)  # fen, tariffs only
    position = Integer(default=0)
    published = Boolean(default=True)
    updated_at = Timestamptz(default=TimestamptzNow())
    INDEX_TOGETHER = (("tenant", "kind", "position"),)


class Outlet(TenantTable, tablename="service_outlet"):
    """A business outlet (营业网点)."""

    name = Varchar(length=120)
    district = Varchar(length=60)
    address = Varchar(length=200)
    hours = Varchar(length=120, default="")
    phone = Varchar(length=40, default="")
    services = Varchar(length=300, default="")
    map_url = Varchar(length=300, default="")
    published = Boolean(default=True)
    INDEX_TOGETHER = (("tenant", "district"),)


class Faq(TenantTable, tablename="service_faq"):
    """A de-identified consultation published as a public question and answer."""

    question = Text()
    answer = Text()
    source_order = Integer(null=True, default=None)
    published = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class Attachment(TenantTable, tablename="service_attachment"):
    """A complaint's attachment, kept in the database (never under a user-chosen name), served only to those who see the order."""

    workorder = Integer(null=True, default=None, index=True)
    filename = Varchar(length=120)
    content_type = Varchar(length=60)
    size = Integer()
    content = Bytea()
    created_at = Timestamptz(default=TimestamptzNow())


class Submission(TenantTable, tablename="service_submission"):
    """One submission (consultation or complaint) by a key (customer or address): the flood limits count these rows."""

    key = Varchar(length=100)
    at = Timestamptz(default=TimestamptzNow())
    INDEX_TOGETHER = (("tenant", "key", "at"),)
