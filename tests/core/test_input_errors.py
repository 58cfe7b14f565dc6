"""Bad input is a 4xx with a message, never a 500; a 500 that still happens is logged with its traceback.

The classes of the production-readiness review: "²" (passes ``str.isdigit()``, fails
``int()``), integers past any column, NUL bytes, an empty message id, ``next=`` tricks,
and the OpenAPI schema readable by customers.
"""

from __future__ import annotations

import io
import logging
import types

import pytest
from litestar import get

from core.hookspecs import hookimpl
from core.i18n import load_translations
from core.logs import HallLogHandler, configure_logging
from core.money import parse_yuan
from core.testing import TenantSpec, add_operator, add_superadmin, make_customer, register_customer
from core.web.next_target import resolve_next
from core.web.numbers import INT_MAX, parse_int, parse_ints
from core.web.templating import CORE_LOCALE

HUGE = "9" * 23


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        (" 7 ", 7),
        ("1", 1),
        (str(INT_MAX), INT_MAX),
        ("²", None),
        ("١٢", None),
        ("1_0", None),
        ("12a", None),
        ("", None),
        ("0", None),
        ("-1", None),
        (str(INT_MAX + 1), None),
        (HUGE, None),
        ("12\n", 12),
        ("1\x00", None),
        (None, None),
        (12, None),
    ],
)
def test_parse_int_takes_ascii_digits_within_range_only(text, expected):
    assert parse_int(text) == expected


def test_parse_int_bounds_and_many():
    assert parse_int("-5", low=-9999, high=9999) == -5 and parse_int("6", low=1, high=5) is None
    assert parse_ints(["1", "2", "2"]) == {1, 2}
    assert parse_ints(["1", "²"]) is None and parse_ints([HUGE]) is None and parse_ints([]) == set()


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("12.30", 1230),
        ("¥1,012.3", 101230),
        ("0.05", 5),
        ("999999999999.99", 99999999999999),
        ("²", None),
        ("١٢", None),
        ("1²", None),
        ("1.²", None),
        (HUGE, None),
        ("1e3", None),
        ("-5", None),
        ("1.234", None),
        ("", None),
    ],
)
def test_parse_yuan_is_ascii_and_bounded(text, fen):
    assert parse_yuan(text) == fen


@pytest.mark.parametrize(
    ("target", "base", "expected"),
    [
        ("/t/x/account", "/t/x", "/account"),
        ("/t/x/account/../bills/?month=2024-05", "/t/x", "/bills/?month=2024-05"),
        ("/t/x", "/t/x", "/"),
        ("/account", "", "/account"),
        ("/t/x/../../evil", "/t/x", "/"),
        ("/t/x/%2e%2e/y/account", "/t/x", "/"),  # another tenant on the shared host
        ("/t/x/%252e%252e/y/account", "/t/x", "/"),
        ("/t/x/..%2f..%2fevil", "/t/x", "/"),
        ("/t/y/account", "/t/x", "/"),
        ("/t/xy/account", "/t/x", "/"),
        ("//evil.example/", "", "/"),
        ("/\\evil.example/", "", "/"),
        ("/%5cevil.example/", "", "/"),
        ("/%2f%2fevil.example/", "", "/"),
        ("/\t/evil.example/", "", "/"),
        ("/\n/evil.example/", "", "/"),
        ("https://evil.example/", "", "/"),
        ("javascript:alert(1)", "", "/"),
        ("account", "", "/"),
        ("", "", "/"),
        (None, "", "/"),
        ("/a/../../../evil", "", "/evil"),  # still this host and tenant (the host names the tenant)
        ("/账单", "", "/%E8%B4%A6%E5%8D%95"),
    ],
)
def test_next_targets_stay_inside_the_tenant(target, base, expected):
    assert resolve_next(target, base, "/") == expected


def test_an_empty_message_id_translates_to_nothing_not_the_catalog_header():
    for language, translations in load_translations([CORE_LOCALE]).items():
        assert translations.gettext("") == "" and translations.ngettext("", "", 2) == "", language
        assert translations.gettext("Log in")  # real ids still translate


def test_templates_translate_an_empty_label_to_nothing(hall):
    from core.web.templating import Templates

    env = Templates(hall.hall).env(hall.tenant("alpha"), "zh_CN")
    assert env.from_string("[{{ _(label) }}]").render(label="") == "[]"
    assert "Project-Id-Version" not in env.from_string("{{ _('') }}{{ gettext('') }}").render()


@pytest.fixture
def people(hall_factory):
    harness = hall_factory([TenantSpec("alpha", plugins=["notices"])])
    add_operator(harness, "alpha", "op")
    add_superadmin(harness)
    customer = make_customer(41)
    register_customer(harness, "alpha", customer)
    clients = {
        "anonymous": harness.client("alpha"),
        "customer": harness.client("alpha"),
        "operator": harness.client("alpha"),
        "super": harness.client("alpha"),
    }
    clients["customer"].login_customer(customer.numbers[0].number)
    clients["operator"].login_operator("op")
    clients["super"].login_operator("root")
    return harness, clients


def test_query_numbers_that_are_not_numbers_are_a_400_with_a_message(people):
    _, clients = people
    operator = clients["operator"]
    for page in ("²", HUGE, "-1", "0", "1x", "١"):
        r = operator.get("/console/audit", params={"page": page})
        assert r.status_code == 400, page
        assert "“page”应为 1 到 100000 之间的整数。" in r.text and "Traceback" not in r.text
    assert operator.get("/console/audit", params={"page": "2"}).status_code == 200
    r = operator.get("/console/audit", params={"page": "²"}, headers={"accept": "application/json"})
    assert r.status_code == 400 and r.json()["message"] == "“page”应为 1 到 100000 之间的整数。"


@pytest.mark.parametrize("who", ["anonymous", "customer", "operator"])
def test_huge_or_negative_ids_in_paths_are_404(people, who):
    _, clients = people
    client = clients[who]
    for path in (f"/notices/{HUGE}", f"/notices/{INT_MAX + 1}", "/notices/-1", "/notices/0", "/notices/²"):
        assert client.get(path).status_code == 404, path
    for path in (f"/console/operators/{HUGE}", f"/console/roles/{INT_MAX + 1}", f"/console/departments/{HUGE}"):
        assert client.get(path, follow_redirects=False).status_code in (303, 404), path
    if who == "operator":
        assert client.post(f"/notices/manage/{HUGE}/toggle").status_code == 404


def test_nul_bytes_are_refused_everywhere(people):
    _, clients = people
    for who, client in clients.items():
        assert client.get("/static/hall%00.css").status_code == 404, who
        assert client.get("/static/" + "a" * 300 + ".css").status_code == 404, who  # a name the file system refuses
        assert client.get("/notices/", params={"q": "a\x00b"}).status_code == 400, who
    r = clients["anonymous"].post("/login", {"login": "138\x0000", "password": "x"})
    assert r.status_code == 400 and "Traceback" not in r.text
    r = clients["operator"].post("/notices/manage", {"title": "t\x00", "body": "b"})
    assert r.status_code == 400


def test_the_openapi_schema_is_for_super_admins_only(people):
    _, clients = people
    for who in ("anonymous", "customer"):
        for path in ("/schema", "/schema/openapi.json", "/console/openapi/openapi.json", "/console/openapi"):
            r = clients[who].get(path, follow_redirects=False)
            assert r.status_code in (303, 404) and "/console" not in r.text.replace('href="/console', ""), (who, path)
    assert clients["operator"].get("/console/openapi/openapi.json").status_code == 403
    schema = clients["super"].get("/console/openapi/openapi.json")
    assert schema.status_code == 200 and "/console/operators" in schema.json()["paths"]


def test_login_next_cannot_leave_the_tenant(hall_factory):
    harness = hall_factory([TenantSpec("alpha"), TenantSpec("beta")])
    customer = make_customer(42)
    register_customer(harness, "alpha", customer)
    for target, lands in (
        ("/t/alpha/account", "/t/alpha/account"),
        ("/t/alpha/../beta/account", "/t/alpha/account"),
        ("/t/alpha/%2e%2e/%2e%2e/evil", "/t/alpha/account"),
        ("/\\evil.example", "/t/alpha/account"),
        ("//evil.example", "/t/alpha/account"),
    ):
        client = harness.client("alpha", via_prefix=True)
        r = client.post("/login", {"login": customer.numbers[0].number, "password": "Passw0rd!test", "next": target})
        assert r.status_code == 303 and r.headers["location"] == lands, target


def _boom_hall(hall_factory):
    @get("/boom", opt={"auth": "public"})
    async def boom() -> str:
        raise RuntimeError("kaboom-for-the-log")

    plugin = types.SimpleNamespace(register_routes=hookimpl(lambda hall: [boom]))
    return hall_factory([TenantSpec("alpha", plugins=["boom"])], extra_plugins={"boom": plugin})


def test_a_500_logs_its_traceback_and_shows_the_translated_page(hall_factory, caplog):
    harness = _boom_hall(hall_factory)
    with caplog.at_level(logging.ERROR, logger="hall.web"):
        r = harness.client("alpha").get("/boom/boom")
    assert r.status_code == 500 and "系统出现故障，请稍后再试。" in r.text
    assert "kaboom" not in r.text and "Traceback" not in r.text
    record = next(rec for rec in caplog.records if rec.name == "hall.web")
    assert record.exc_info and record.exc_info[0] is RuntimeError and "tenant alpha" in record.getMessage()
    assert "kaboom-for-the-log" in caplog.text and "Traceback" in caplog.text


def test_served_workers_write_tracebacks_to_stderr(monkeypatch):
    """``hall serve``/``hall demo`` workers: configure_logging puts every hall record, traceback included, on stderr."""
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])
    monkeypatch.setattr(logging.getLogger("hall"), "level", logging.NOTSET)
    handler = configure_logging()
    assert configure_logging() is handler and sum(isinstance(h, HallLogHandler) for h in root.handlers) == 1
    handler.setStream(buffer := io.StringIO())
    try:
        raise ValueError("worker-failure")
    except ValueError as exc:
        logging.getLogger("hall.web").error("unhandled error on GET /x (ID 110101199003074258)", exc_info=exc)
    text = buffer.getvalue()
    assert "ERROR hall.web" in text and "Traceback" in text and "ValueError: worker-failure" in text
    assert "110101199003074258" not in text  # ID numbers are masked on this handler too


def test_a_very_long_log_in_name_is_a_wrong_log_in_not_a_database_error(people):
    """The throttle key carries the typed name; PostgreSQL refused one past its column (a 500 on PostgreSQL only)."""
    harness, clients = people
    from core.auth.tables import ThrottleEvent

    for _ in range(2):
        r = clients["anonymous"].post("/login", {"login": "x" * 1500, "password": "wrong-password"})
        assert r.status_code == 400 and "Traceback" not in r.text
    keys = harness.in_tenant("alpha", lambda: ThrottleEvent.select(ThrottleEvent.key))
    assert keys and all(len(row["key"]) <= 160 for row in keys)
