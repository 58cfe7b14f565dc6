"""Work orders (受理单): numbered back-office orders of plugin-declared types. See docs/workorders.md.

Plugins import what they need from here::

    from core.workorders import Actor, State, Transition, WorkOrderType, open_order, transition
"""

from core.workorders.access import Actor, Conflict, InvalidData, NotAllowed, NotFound, WorkOrderError
from core.workorders.api import claim, comment, get_order, open_order, rate, transfer, transition, type_of
from core.workorders.types import State, Transition, WorkOrderType, collect_types, types_for

__all__ = [
    "Actor",
    "Conflict",
    "InvalidData",
    "NotAllowed",
    "NotFound",
    "State",
    "Transition",
    "WorkOrderError",
    "WorkOrderType",
    "claim",
    "collect_types",
    "comment",
    "get_order",
    "open_order",
    "rate",
    "transfer",
    "transition",
    "type_of",
    "types_for",
]
