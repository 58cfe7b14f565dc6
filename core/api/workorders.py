"""Work orders (受理单): declaring types and their states, opening and moving orders, departments,
deadlines settings, statistics, and the tables a plugin reads for its own pages. See docs/workorders.md."""

from core.workorders import (
    Actor,
    Conflict,
    InvalidData,
    NotAllowed,
    NotFound,
    State,
    Transition,
    WorkOrderError,
    WorkOrderType,
    claim,
    comment,
    get_order,
    open_order,
    rate,
    transfer,
    transition,
    type_of,
)
from core.workorders.departments import add_member, departments, operator_names, save_department, set_members
from core.workorders.settings import WorkOrderDeadlines
from core.workorders.stats import GROUPS, figures
from core.workorders.tables import Department, WorkOrder, WorkOrderComment, WorkOrderEvent

__all__ = [
    "GROUPS",
    "Actor",
    "Conflict",
    "Department",
    "InvalidData",
    "NotAllowed",
    "NotFound",
    "State",
    "Transition",
    "WorkOrder",
    "WorkOrderComment",
    "WorkOrderDeadlines",
    "WorkOrderError",
    "WorkOrderEvent",
    "WorkOrderType",
    "add_member",
    "claim",
    "comment",
    "departments",
    "figures",
    "get_order",
    "open_order",
    "operator_names",
    "rate",
    "save_department",
    "set_members",
    "transfer",
    "transition",
    "type_of",
]
