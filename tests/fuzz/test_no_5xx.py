"""No input gets a 5xx: every route of a hall with every built-in plugin, fuzzed as a visitor, a customer and an operator.

The routes come from the running app (``app.routes``), so a route a later plugin adds is fuzzed too, including
the ones left out of the OpenAPI schema (static files, payment returns). Handlers read their query and form
fields by name (``form.value("amount")``, ``query_params.get("page")``), so the field names of each route are
read from its handler's module and the modules it uses; path parameters follow their declared type.

For each route: first the inputs that were 500s in the review (``²``, numbers past any column, NUL bytes) in
every field at once, then hypothesis-generated examples (derandomized: the same on every run, so CI is
deterministic). Kept small to stay fast on two cores.
"""

from __future__ import annotations

import inspect
import re
import sys
import types
from functools import cache
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from litestar.routes import HTTPRoute

from core.testing import TenantSpec, add_operator, make_customer, register_customer
from core.testing.payments import FakePaymentPlugin

PLUGINS = ["notices", "service", "bills", "billpay", "billmail", "topup"]
SESSION_ENDERS = {"/logout", "/console/logout"}
EXAMPLES = 3  # hypothesis examples per route and role, on top of the fixed nasty inputs
PARAM = re.compile(r"\{(\w+)(?::(\w+))?\}")
FIELD = re.compile(r"""(?:\.get|\.value|\.raw|\.getall|\.getlist|FromQuery\[\w+\]\s*=)\s*\(?\s*["'](\w{1,40})["']""")
REQUIRED = re.compile(r"""require\(([^)]*)\)""")
QUOTED = re.compile(r"""["'](\w{1,40})["']""")
COMMON = ("page", "next", "q", "number", "month", "id", "amount")

HUGE = "9" * 23
REVIEW_CASES = ("²", HUGE, "a\x00b", "x" * 300)  # each once in every field of every route (300: past most VARCHARs)
NASTY = [
    "²",
    "١٢",
    HUGE,
    str(2**31),
    str(2**63),
    "-1",
    "0",
    "1",
    "2",
    "\x00",
    "%00",
    "../../hall.toml",
    "%2e%2e/x",
    "//evil.example",
    "/\\evil.example",
    "",
    " ",
    "x" * 2100,
    "<b>x</b>",
    "' or 1=1 --",
    "2024-13",
    "2024-05",
    "2024-05-01",
    "on",
    "all",
    "sms",
    "\u202e",
    "😀",
    "1.005",
    "1e309",
    "NaN",
    "13900000000",
]
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
VALUE = st.one_of(st.sampled_from(NASTY), TEXT, st.integers(-(2**70), 2**70).map(str))


def _sources(module: types.ModuleType) -> list[str]:
    """The handler's module and the hall modules it names directly (helpers that read fields live there too)."""
    mods = {module}
    for obj in vars(module).values():
        owner = obj if inspect.ismodule(obj) else sys.modules.get(getattr(obj, "__module__", "") or "")
        if owner is not None and owner.__name__.startswith(("core.", "plugins.")):
            mods.add(owner)
    out = []
    for mod in mods:
        try:
            out.append(inspect.getsource(mod))
        except (OSError, TypeError):
            continue
    return out


@cache
def field_names(module_name: str) -> tuple[str, ...]:
    names = set(COMMON)
    for source in _sources(sys.modules[module_name]):
        names.update(FIELD.findall(source))
        for args in REQUIRED.findall(source):
            names.update(QUOTED.findall(args))
    return tuple(sorted(names))


def path_value(kind: str | None):
    if kind == "int":
        return st.one_of(st.integers(-3, 40), st.sampled_from([2**31, 2**63, 10**23])).map(str) | st.sampled_from(
            ["²", "x"]
        )
    return VALUE.map(lambda v: quote(v, safe="") or "x")


def review_path(kind: str | None, case: str) -> str:
    """The case itself in a path parameter, except where it could only be a 404: then an id, so the fields reach the handler."""
    return "1" if kind == "int" and case not in ("²", HUGE) else quote(case, safe="")


def concrete(path: str, values: dict[str, str]) -> str:
    return PARAM.sub(lambda m: values[m.group(1)], path)


def routes(app) -> list[tuple[str, str, str, list[tuple[str, str | None]]]]:
    """(method, path template, handler module, [(param, type)]) for every HTTP route of the app."""
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for method in sorted(route.methods - {"OPTIONS", "HEAD"}):
            if route.path in SESSION_ENDERS:
                continue
            handler = route.route_handler_map[method][0]
            found.append((method, route.path, handler.fn.__module__, PARAM.findall(route.path)))
    return found


class Role:
    """A client of one kind; logs in again when a fuzzed request ended its session (a changed language, a password …)."""

    def __init__(self, harness, kind: str, login: str | None):
        self.harness, self.kind, self.login = harness, kind, login
        self.client = harness.client("alpha")
        self.relogin()

    def relogin(self) -> None:
        from core.auth.tables import ThrottleEvent

        self.client.http.cookies.clear()
        self.harness.in_tenant(
            "alpha", lambda: ThrottleEvent.delete(force=True)
        )  # fuzzed log-ins from this address count too
        if self.kind == "customer":
            self.client.login_customer(self.login)
        elif self.kind == "operator":
            self.client.login_operator(self.login)

    def send(self, method: str, path: str, fields: dict) -> None:
        if method == "GET":
            r = self.client.get(path, params=fields, follow_redirects=False)
        else:
            r = self.client.post(path, fields)
        assert r.status_code < 500, f"{self.kind}: {method} {path} {fields!r} -> {r.status_code}"
        assert "Traceback" not in r.text, f"{self.kind}: {method} {path} shows a traceback"


@pytest.fixture
def world(hall_factory):
    harness = hall_factory(
        [TenantSpec("alpha", plugins=PLUGINS, payments={"providers": ["fake"]})],
        extra_plugins={"fakepay": FakePaymentPlugin()},
    )
    customer = make_customer(61, email="fuzz@example.com")
    register_customer(harness, "alpha", customer)
    add_operator(harness, "alpha", "fuzz-op")
    op = harness.client("alpha")
    op.login_operator("fuzz-op")  # some rows for the ids to find
    assert op.post("/notices/manage", {"title": "Fuzz notice", "body": "body", "published": "on"}).status_code == 303
    me = harness.client("alpha")
    me.login_customer(customer.numbers[0].number)
    assert me.post("/service/ask", {"title": "Fuzz question", "text": "Why?"}).status_code in (200, 303)
    return harness, customer


@pytest.mark.parametrize("kind", ["anonymous", "customer", "operator"])
def test_no_route_answers_5xx_to_any_input(world, kind):
    harness, customer = world
    role = Role(harness, kind, {"customer": customer.numbers[0].number, "operator": "fuzz-op"}.get(kind))
    table = routes(harness.app)
    assert len(table) > 100  # the enumeration really saw every plugin's routes
    fuzz = settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    for method, template, module, params in table:
        names = field_names(module)
        for case in REVIEW_CASES:  # the review's 500s, in every field at once
            path = concrete(template, {name: review_path(kind_, case) for name, kind_ in params})
            role.send(method, path, {name: case for name in names})

        path_values = st.fixed_dictionaries({name: path_value(kind_) for name, kind_ in params})
        fields = st.dictionaries(st.sampled_from(names), VALUE | st.lists(VALUE, min_size=2, max_size=3), max_size=4)

        @fuzz
        @given(path_values, fields)
        def one(values, data):  # called at once, inside this iteration: the loop variables are the right ones
            role.send(method, concrete(template, values), data)  # noqa: B023

        one()
        if method == "POST" and kind != "anonymous":
            probe = role.client.get("/account" if kind == "customer" else "/console", follow_redirects=False)
            if probe.status_code != 200:
                role.relogin()
