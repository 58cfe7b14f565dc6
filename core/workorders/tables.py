"""Work-order tables: departments and their members, orders, their history and comments, number counters."""

from __future__ import annotations

from piccolo.columns import JSON, Boolean, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from core.db.scoping import TenantTable


class Department(TenantTable, tablename="core_department"):
    """A back-office department orders are routed to; its head is told about missed deadlines."""

    code = Varchar(length=32)
    name = Varchar(length=100)
    head = Integer(null=True, default=None)  # Operator.id
    email = Varchar(length=254, default="")  # where escalations are sent (the head's or a shared mailbox)
    active = Boolean(default=True)
    UNIQUE_TOGETHER = (("tenant", "code"),)


class DepartmentMember(TenantTable, tablename="core_department_member"):
    department = Integer()  # Department.id
    operator = Integer()  # Operator.id
    UNIQUE_TOGETHER = (("tenant", "department", "operator"),)
    INDEX_TOGETHER = (("tenant", "operator"),)


class WorkOrder(TenantTable, tablename="core_workorder"):
    """One numbered order (受理单). Times are kept as columns so statistics need no history scan."""

    number = Varchar(length=32)  # "TS-2026-000123", unique per tenant
    type = Varchar(length=64)
    state = Varchar(length=32)
    title = Varchar(length=200)
    data = JSON(default={})  # the type's form data
    customer = Integer(null=True, default=None)  # CustomerAccount.id; None for a visitor
    contact_name = Varchar(length=100, default="")
    contact_phone = Varchar(length=32, default="")
    contact_email = Varchar(length=254, default="")
    language = Varchar(length=8, default="")  # the customer's language, for messages
    department = Integer(null=True, default=None)  # Department.id
    assignee = Integer(null=True, default=None)  # Operator.id: the owner (首问负责)
    category = Varchar(length=64, default="")  # the type's deadline key (e.g. complaint category), for statistics
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    deadline_at = Timestamptz(null=True, default=None)
    first_response_at = Timestamptz(null=True, default=None)
    resolved_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    escalated_at = Timestamptz(null=True, default=None)
    reopen_count = Integer(default=0)
    rating = Integer(null=True, default=None)  # 1-5, given by the customer once resolved
    UNIQUE_TOGETHER = (("tenant", "number"),)
    INDEX_TOGETHER = (
        ("tenant", "department", "state"),
        ("tenant", "assignee", "state"),
        ("tenant", "customer", "created_at"),
        ("tenant", "type", "created_at"),
        ("tenant", "created_at"),
        ("tenant", "closed_at", "deadline_at"),
    )


class WorkOrderEvent(TenantTable, tablename="core_workorder_event"):
    """The history: one row per change, never updated."""

    workorder = Integer()  # WorkOrder.id
    action = Varchar(length=32)  # open | claim | transfer | comment | escalate | rate | <a type's action>
    actor_kind = Varchar(length=16)  # operator | customer | system
    actor_id = Integer(null=True, default=None)
    actor_name = Varchar(length=100, default="")
    from_state = Varchar(length=32, default="")
    to_state = Varchar(length=32, default="")
    details = JSON(default={})
    at = Timestamptz(default=TimestamptzNow())
    INDEX_TOGETHER = (("tenant", "workorder"),)


class WorkOrderComment(TenantTable, tablename="core_workorder_comment"):
    workorder = Integer()  # WorkOrder.id
    public = Boolean(default=False)  # False: staff only; True: shown to the customer
    author_kind = Varchar(length=16)
    author_id = Integer(null=True, default=None)
    author_name = Varchar(length=100, default="")
    body = Text()
    at = Timestamptz(default=TimestamptzNow())
    INDEX_TOGETHER = (("tenant", "workorder"),)


class WorkOrderCounter(TenantTable, tablename="core_workorder_counter"):
    """The last number given per prefix and year; incremented under the row lock (see numbering.py)."""

    prefix = Varchar(length=8)
    year = Integer()
    value = Integer(default=0)
    UNIQUE_TOGETHER = (("tenant", "prefix", "year"),)


TABLES = [Department, DepartmentMember, WorkOrder, WorkOrderEvent, WorkOrderComment, WorkOrderCounter]
