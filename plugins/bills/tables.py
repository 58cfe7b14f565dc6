"""The bills plugin's tables: the customer-visible access trail of call records, and step-up verifications."""

from piccolo.columns import JSON, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from core.api.db import TenantTable


class CallAccess(TenantTable, tablename="bills_call_access"):
    """One view or export of call records: shown to the customer (/bills/access-log) and to operators."""

    at = Timestamptz(default=TimestamptzNow())
    account = Integer()  # the customer account that looked
    actor = Varchar(length=100, default="")  # the customer's name at that moment
    number = Varchar(length=32)
    month = Varchar(length=7)
    kind = Varchar(length=8, default="view")  # view | csv | pdf
    filters = JSON(default={})
    address = Varchar(length=64, default="")
    INDEX_TOGETHER = (("tenant", "account", "at"), ("tenant", "number", "at"))


class StepUp(TenantTable, tablename="bills_step_up"):
    """A session proved a fresh one-time code: call records are open to it until ``verified_at`` + step_up_minutes."""

    session_id = Integer()
    account = Integer()
    verified_at = Timestamptz(default=TimestamptzNow())
    INDEX_TOGETHER = (("tenant", "session_id", "verified_at"),)
