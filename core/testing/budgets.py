"""Per-request budgets as tests, not timings: count the SQL statements and hook calls one request makes.

A page that gets slower usually does so by doing more: another query per row,
another hook per item. Counting is exact and does not depend on the machine,
so a test can fail the day a hot page crosses its budget (docs/benchmarks.md)::

    with measure_requests(harness.hall) as cost:
        client.get("/bills/")
    assert cost.statements <= 12, cost.report()
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class RequestCost:
    sql: list[str] = field(default_factory=list)  # each statement's text (first 160 characters)
    hooks: Counter = field(default_factory=Counter)  # hook name -> calls

    @property
    def statements(self) -> int:
        return len(self.sql)

    @property
    def hook_calls(self) -> int:
        return sum(self.hooks.values())

    def report(self) -> str:
        """What was run, for a failing assertion's message."""
        lines = [f"{self.statements} statements, {self.hook_calls} hook calls"]
        lines += [f"  sql: {s}" for s in self.sql]
        lines += [f"  hook: {name} x{n}" for name, n in self.hooks.most_common()]
        return "\n".join(lines)


@contextmanager
def measure_requests(hall) -> Iterator[RequestCost]:
    """Count every statement on the hall's engine and every hook call while the block runs (any thread)."""
    from core.db import piccolo_conf

    engine_class = type(piccolo_conf.DB)  # patched on the class: PostgresEngine's instances take no new attributes
    cost = RequestCost()
    own = "run_querystring" in engine_class.__dict__
    original = engine_class.run_querystring

    async def counted(self, querystring, *args, **kwargs):
        cost.sql.append(" ".join(str(querystring).split())[:160])
        return await original(self, querystring, *args, **kwargs)

    engine_class.run_querystring = counted
    undo = hall.plugins.pm.add_hookcall_monitoring(
        before=lambda name, impls, kwargs: cost.hooks.update([name]), after=lambda *args: None
    )
    try:
        yield cost
    finally:
        undo()
        if own:
            engine_class.run_querystring = original
        else:
            del engine_class.run_querystring  # the base class's method again
