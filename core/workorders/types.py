"""What a work-order type is: declared by a plugin through ``register_workorder_types``.

A type owns its state machine. The core never hard-codes a state name: it only
knows the initial state, the terminal states and which states count as
"resolved" (for statistics and rating). Everything else is the type's business.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

ACTORS = ("operator", "customer", "system")
CODE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_.]*$")
PREFIX = re.compile(r"^[A-Z]{1,6}$")

# validate(data) -> {field: message id}; route(tenant, data) -> department code or None; deadline_key(data) -> str or None
Validator = Callable[[dict[str, Any]], dict[str, str]]
Router = Callable[[Any, dict[str, Any]], "str | None"]


@dataclass(frozen=True)
class State:
    code: str
    label: str  # message id


@dataclass(frozen=True)
class Transition:
    """An action that moves an order from one of ``sources`` to ``target``.

    ``actor`` says who may take it (``operator``, ``customer`` or ``system``);
    an operator also needs ``permission`` when it is set (besides owning the
    order, see docs/workorders.md). ``public`` actions are announced to the
    customer; ``needs_comment`` makes the form ask for a note. ``offered=False``: the
    declaring plugin takes it from its own page (it needs more than a note, e.g. an
    amount), so the core's pages show no button for it.
    """

    action: str
    label: str  # message id, the button text
    sources: tuple[str, ...]
    target: str
    actor: str = "operator"
    permission: str | None = None
    public: bool = True
    needs_comment: bool = False
    offered: bool = True


@dataclass(frozen=True)
class WorkOrderType:
    code: str  # "<plugin>.<name>", e.g. "service.complaint"
    label: str  # message id
    prefix: str  # number prefix, e.g. "TS" -> TS-2026-000123
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]
    initial: str
    terminal: tuple[str, ...]
    resolved: tuple[str, ...] = ()  # states in which the customer has their answer (default: the terminal ones)
    deadline_hours: float | None = None  # None: no deadline
    category_deadline_hours: dict[str, float] = field(default_factory=dict)
    deadline_key: Callable[[dict[str, Any]], str | None] | None = None  # e.g. lambda d: d.get("category")
    validate: Validator | None = None
    route: Router | None = None
    notify_customer: bool = True  # False: the customer hears of it otherwise (a product order tells its own milestones)
    plugin: str = ""  # filled by the registry: who declared it

    def state(self, code: str) -> State | None:
        return next((s for s in self.states if s.code == code), None)

    def state_label(self, code: str) -> str:
        found = self.state(code)
        return found.label if found else code

    @property
    def resolved_states(self) -> tuple[str, ...]:
        return self.resolved or self.terminal

    def transition(self, action: str) -> Transition | None:
        return next((t for t in self.transitions if t.action == action), None)

    def available(self, state: str, actor_kind: str) -> list[Transition]:
        return [t for t in self.transitions if state in t.sources and t.actor == actor_kind and t.offered]

    def problems(self) -> list[str]:
        """Mistakes in the declaration, reported at start-up rather than at the first order."""
        out = []
        codes = [s.code for s in self.states]
        if not CODE.match(self.code):
            out.append(f"code {self.code!r} must look like '<plugin>.<name>' (lower case)")
        if not PREFIX.match(self.prefix):
            out.append(f"prefix {self.prefix!r} must be 1-6 capital letters")
        if len(set(codes)) != len(codes):
            out.append("a state is declared twice")
        for name, values in (("initial", (self.initial,)), ("terminal", self.terminal), ("resolved", self.resolved)):
            out += [f"{name} state {v!r} is not among the states" for v in values if v not in codes]
        actions = [t.action for t in self.transitions]
        if len(set(actions)) != len(actions):
            out.append("an action is declared twice")
        for t in self.transitions:
            if t.actor not in ACTORS:
                out.append(f"action {t.action!r}: actor must be one of {', '.join(ACTORS)}")
            out += [
                f"action {t.action!r}: state {s!r} is not among the states"
                for s in (*t.sources, t.target)
                if s not in codes
            ]
        return out


class WorkOrderTypeError(ValueError):
    """A plugin declared a broken type (or two plugins the same code or prefix)."""


def collect_types(hall) -> dict[str, WorkOrderType]:
    """Every declared type by code, checked; cached on the hall (declarations never change while it runs)."""
    cached = hall.state.get("core.workorder_types")
    if cached is not None:
        return cached
    from dataclasses import replace

    from core.utils import flatten

    types: dict[str, WorkOrderType] = {}
    prefixes: dict[str, str] = {}
    problems: list[str] = []
    for plugin, declared in sorted(hall.plugins.per_plugin("register_workorder_types", hall=hall).items()):
        for wt in flatten([declared]):
            wt = replace(wt, plugin=plugin)
            problems += [f"work-order type {wt.code!r} of plugin {plugin!r}: {p}" for p in wt.problems()]
            if wt.code in types:
                problems.append(f"work-order type {wt.code!r} declared by {types[wt.code].plugin!r} and {plugin!r}")
            if wt.prefix in prefixes:
                problems.append(f"number prefix {wt.prefix!r} used by {prefixes[wt.prefix]!r} and {wt.code!r}")
            types[wt.code] = wt
            prefixes.setdefault(wt.prefix, wt.code)
    if problems:
        raise WorkOrderTypeError("; ".join(problems))
    hall.state["core.workorder_types"] = types
    return types


def types_for(hall, tenant) -> dict[str, WorkOrderType]:
    """The types a tenant can use: those of the plugins it enables (and the core's)."""
    from core.plugins import is_always_on

    return {c: t for c, t in collect_types(hall).items() if is_always_on(t.plugin) or tenant.enables(t.plugin)}
