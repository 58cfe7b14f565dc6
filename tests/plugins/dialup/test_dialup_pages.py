"""Opening an account refuses bad input beside the field; a RADIUS database that is away holds the order (nothing
provisioned, the reason on the console) until an operator retries; the balance of prepaid money; the pages
are the customer's own and only where the plugin is on."""

from __future__ import annotations

import asyncio
import datetime as dt
import re

from dialup_support import PHONE, build, paid

from core.api.testing import add_operator, check_plugin, field_errors, make_customer, register_customer
from core.products.tables import LifecycleRequest, ProductOrder
from plugins.dialup.balance import balance_of
from plugins.dialup.radius_db import Dsn, RadiusDb
from plugins.dialup.tables import DialupAccount

SCHEMA_DIR = "/etc/freeradius/3.0/mods-config/sql/main"
GOOD = "Dial2026x"


def customer(harness, login=PHONE):
    c = harness.client("alpha")
    c.login_customer(login)
    return c


def submit(c, **values):
    page = c.get("/dialup/open")
    token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)
    data = {"username": "bob2026", "password": GOOD, "password_again": GOOD, "offering": "dialup.h20", "token": token}
    return c.post("/dialup/open", {**data, **values})


def test_bad_input_is_refused_beside_its_field(world):
    harness, pay, _ = world
    c = customer(harness)
    cases = [
        ({"username": "ab"}, "username"),
        ({"username": "9lives"}, "username"),
        ({"username": "admin"}, "username"),
        ({"password": "short1", "password_again": "short1"}, "password"),
        ({"password": "abcdefghij", "password_again": "abcdefghij"}, "password"),
        ({"password": "bob2026xyz!", "password_again": "bob2026xyz!"}, "password"),
        ({"password_again": "Other2026x"}, "password_again"),
        ({"offering": "nope"}, "offering"),
    ]
    for values, name in cases:
        r = submit(c, **values)
        assert r.status_code == 400, (values, r.status_code)
        assert f'id="{name}-error"' in r.text, (values, field_errors(r.text))
    assert harness.in_tenant("alpha", lambda: ProductOrder.count()) == 0
    assert submit(c).status_code == 303
    other = make_customer(2, numbers=("13900000002",), phone="13900000002")
    register_customer(harness, "alpha", other)
    taken = submit(customer(harness, "13900000002"))
    assert taken.status_code == 400 and 'id="username-error"' in taken.text
    assert "已被占用" in taken.text or "taken" in taken.text


def test_a_radius_database_that_is_away_holds_the_order_until_an_operator_retries(hall_factory, tmp_path):
    path = tmp_path / "later.sqlite"
    harness, pay, _ = build(hall_factory, f"sqlite:///{path}")
    c = customer(harness)
    assert submit(c).status_code == 303
    order = harness.in_tenant("alpha", lambda: ProductOrder.select().first())
    paid(harness, pay, order["payment_intent"], 2000)
    page = c.get("/dialup/a/bob2026")
    assert "state-setting_up" in page.text
    order = harness.in_tenant("alpha", lambda: ProductOrder.select().first())
    assert order["state"] == "held"
    row = harness.in_tenant("alpha", lambda: DialupAccount.select().first())
    assert row["state"] == "ordered" and row["opened_at"] is None  # nothing started: no time counted
    add_operator(harness, "alpha", "wang")
    op = harness.client("alpha")
    op.login_operator("wang")
    console = op.get(f"/dialup/console/{row['id']}")
    assert "provisioning-problem" in console.text and "no RADIUS database" in console.text

    asyncio.run(RadiusDb(Dsn.parse(f"sqlite:///{path}")).ensure_schema(SCHEMA_DIR))  # the database is back
    failed = harness.in_tenant(
        "alpha", lambda: LifecycleRequest.select().where(LifecycleRequest.state == "failed").first()
    )
    r = op.post(f"/console/product-requests/{failed['id']}/retry", {})
    assert r.status_code in (200, 303), r.text[:500]
    row = harness.in_tenant("alpha", lambda: DialupAccount.select().first())
    assert row["state"] == "active"
    checks = asyncio.run(RadiusDb(Dsn.parse(f"sqlite:///{path}")).fetch("SELECT attribute FROM radcheck"))
    assert sorted(r["attribute"] for r in checks) == ["Expiration", "SSHA2-512-Password"]
    order = harness.in_tenant("alpha", lambda: ProductOrder.select().first())
    assert order["state"] == "completed"


def test_prepaid_money_counts_down_by_the_hour():
    now = dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)
    row = {
        "kind": "money",
        "seconds_total": 0,
        "money_fen": 5000,
        "rate_fen_per_hour": 200,
        "expires_at": now + dt.timedelta(days=1),
    }
    b = balance_of(row, 3600 * 10 + 1, now)
    assert b.money_left_fen == 5000 - 2001 and not b.exhausted  # every started second paid, rounded up to a fen
    assert balance_of(row, 3600 * 25, now).exhausted
    assert balance_of({**row, "expires_at": now}, 0, now).expired


def test_pages_are_the_customers_own_and_only_where_the_plugin_is_on(world):
    harness, pay, _ = world
    c = customer(harness)
    assert submit(c).status_code == 303
    index = c.get("/dialup/")
    assert 'data-username="bob2026"' in index.text and "16300" in index.text and "杭州" in index.text
    other = make_customer(2, numbers=("13900000002",), phone="13900000002")
    register_customer(harness, "alpha", other)
    assert customer(harness, "13900000002").get("/dialup/a/bob2026").status_code == 404
    beta = harness.client("beta")
    assert beta.get("/dialup/").status_code == 404
    assert c.get("/dialup/a/bob2026/usage", params={"month": "2026-13"}).status_code in (400, 200)


def test_the_plugin_follows_the_rules_for_plugins():
    assert check_plugin("dialup") == []


def test_the_demo_prepares_the_radius_databases_and_says_plainly_when_freeradius_is_missing(tmp_path, monkeypatch):
    import types

    from plugins.dialup import radiusd
    from plugins.dialup.demo import demo_radius
    from plugins.dialup.settings import DialupSettings

    class Tenant:
        id = "jiangnan"

        def enables(self, name):
            return name == "dialup"

        def plugin_settings(self, name):
            return DialupSettings(radius_db="sqlite:///var/radius/jiangnan.sqlite", schema_dir=SCHEMA_DIR)

    hall = types.SimpleNamespace(tenants=[Tenant()], root=tmp_path)
    monkeypatch.setattr(radiusd, "radiusd_binary", lambda: None)
    said = []
    assert demo_radius(hall, start=True, echo=said.append) is None
    assert (tmp_path / "var" / "radius" / "jiangnan.sqlite").exists()
    assert len(said) == 1 and "FreeRADIUS is not installed" in said[0]


def _opened(harness, pay, c):
    assert submit(c).status_code == 303
    order = harness.in_tenant("alpha", lambda: ProductOrder.select().first())
    paid(harness, pay, order["payment_intent"], 2000)
    assert "state-open" in c.get("/dialup/a/bob2026").text


def test_password_change_and_renewal_refusals_and_the_events_the_bss_hears(world):
    from core.api.products import act
    from core.legacy.outbox_tables import OutboxEvent

    harness, pay, _ = world
    c = customer(harness)
    _opened(harness, pay, c)
    wrong = c.post("/dialup/a/bob2026/password", {"password_old": "nope", "password_new": "x", "password_again": "x"})
    assert wrong.status_code == 400 and 'id="password_old-error"' in wrong.text
    weak = c.post(
        "/dialup/a/bob2026/password", {"password_old": GOOD, "password_new": "aaaa", "password_again": "aaaa"}
    )
    assert weak.status_code == 400 and 'id="password_new-error"' in weak.text
    ok = c.post(
        "/dialup/a/bob2026/password",
        {"password_old": GOOD, "password_new": "Better2026", "password_again": "Better2026"},
    )
    assert ok.status_code == 303
    assert c.get("/dialup/a/bob2026/usage", params={"month": "2026-13"}).status_code == 400

    row = harness.in_tenant("alpha", lambda: DialupAccount.select().first())
    harness.in_tenant("alpha", act, harness.hall, harness.tenant("alpha"), row["product_id"], "terminate", key="t1")
    row = harness.in_tenant("alpha", lambda: DialupAccount.select().first())
    assert row["state"] == "closed"
    refused = c.post("/dialup/a/bob2026/renew", {"token": "r1"})
    assert refused.status_code == 409 and "已关闭的账号不能续费" in refused.text
    kinds = [e["kind"] for e in harness.in_tenant("alpha", lambda: OutboxEvent.select(OutboxEvent.kind))]
    assert {"dialup.account.opened", "dialup.account.password_changed", "dialup.account.closed"} <= set(kinds)
    opened = harness.in_tenant(
        "alpha", lambda: OutboxEvent.select().where(OutboxEvent.kind == "dialup.account.opened").first()
    )
    assert opened["payload"]["username"] == "bob2026" and "password" not in str(opened["payload"]).lower()
    checks = asyncio.run(
        RadiusDb(Dsn.parse(harness.tenant("alpha").plugin_settings("dialup").radius_db)).fetch(
            "SELECT COUNT(*) AS n FROM radcheck WHERE username = ?", "bob2026"
        )
    )
    assert checks[0]["n"] == 0  # a closed account is gone from RADIUS


def test_the_job_provisions_paid_openings_and_skips_tenants_without_the_plugin(world):
    from plugins.dialup.jobs import enforce

    harness, pay, _ = world
    c = customer(harness)
    assert submit(c).status_code == 303
    order = harness.in_tenant("alpha", lambda: ProductOrder.select().first())
    paid(harness, pay, order["payment_intent"], 2000)
    harness.run(enforce(harness.hall, "alpha"))
    harness.run(enforce(harness.hall, "beta"))
    row = harness.in_tenant("alpha", lambda: DialupAccount.select().first())
    assert row["state"] == "active"
    assert harness.in_tenant("alpha", lambda: ProductOrder.select().first())["state"] == "completed"


def test_two_customers_racing_for_one_user_name_get_one_account(world):
    """Both checks see the name free; the unique index lets one hold it, the other is told it is taken."""
    from plugins.dialup.opening import OpenErrors, open_account

    harness, pay, first = world
    other = make_customer(2, numbers=("13900000002",), phone="13900000002")
    second_account = register_customer(harness, "alpha", other)
    first_account = harness.in_tenant("alpha", lambda: _account_of(first))
    tenant = harness.tenant("alpha")

    async def race():
        def one(customer, account, token):
            return open_account(
                harness.hall,
                tenant,
                customer_id=customer,
                account_id=account,
                username="racer",
                password=GOOD,
                again=GOOD,
                offering="dialup.h20",
                token=token,
                title="t",
                language="zh_CN",
            )

        return await asyncio.gather(
            one(first, first_account, "a"), one(other.legacy_id, second_account, "b"), return_exceptions=True
        )

    outcomes = harness.in_tenant("alpha", race)
    assert sorted(type(o).__name__ for o in outcomes) == ["OpenErrors", "dict"], outcomes
    assert all(isinstance(o, (dict, OpenErrors)) for o in outcomes)
    assert harness.in_tenant("alpha", lambda: DialupAccount.count()) == 1
    assert harness.in_tenant("alpha", lambda: ProductOrder.count()) == 1


async def _account_of(legacy_id):
    from core.auth.tables import CustomerAccount

    row = (
        await CustomerAccount.select(CustomerAccount.id).where(CustomerAccount.customer_legacy_id == legacy_id).first()
    )
    return row["id"]


def test_guessing_the_current_password_is_throttled(world):
    harness, pay, _ = world
    c = customer(harness)
    _opened(harness, pay, c)
    tries = [
        c.post("/dialup/a/bob2026/password", {"password_old": f"guess{n}", "password_new": "x", "password_again": "x"})
        for n in range(11)
    ]
    assert [t.status_code for t in tries] == [400] * 10 + [429]
    assert "尝试次数过多" in tries[-1].text


def test_the_postgresql_password_comes_from_the_secrets_file_or_the_environment(tmp_path, monkeypatch):
    import types

    from plugins.dialup.radius_db import radius_db
    from plugins.dialup.settings import DialupSettings

    (tmp_path / "hall.toml").write_text("")
    (tmp_path / ".secrets.toml").write_text('[dialup.jiangnan]\nradius_db_password = "from-file"\n')
    hall = types.SimpleNamespace(root=tmp_path, settings=types.SimpleNamespace(config_file=tmp_path / "hall.toml"))
    tenant = types.SimpleNamespace(
        id="jiangnan", plugin_settings=lambda name: DialupSettings(radius_db="postgresql://hall@db.example/radius")
    )
    monkeypatch.delenv("HALL_TENANT_JIANGNAN_DIALUP__RADIUS_DB_PASSWORD", raising=False)
    assert radius_db(hall, tenant).dsn.password == "from-file"
    monkeypatch.setenv("HALL_TENANT_JIANGNAN_DIALUP__RADIUS_DB_PASSWORD", "from-env")
    dsn = radius_db(hall, tenant).dsn
    assert (dsn.password, dsn.user, dsn.host, dsn.database) == ("from-env", "hall", "db.example", "radius")


def test_a_renewal_paid_after_the_account_was_closed_is_refunded_once(world):
    from core.api.products import act
    from core.payments.tables import Refund
    from plugins.dialup.jobs import enforce
    from plugins.dialup.tables import DialupRenewal

    harness, pay, _ = world
    c = customer(harness)
    _opened(harness, pay, c)
    r = c.post("/dialup/a/bob2026/renew", {"token": "r1"})
    assert r.status_code == 303
    row = harness.in_tenant("alpha", lambda: DialupAccount.select().first())
    harness.in_tenant("alpha", act, harness.hall, harness.tenant("alpha"), row["product_id"], "terminate", key="t1")
    renewal = harness.in_tenant("alpha", lambda: DialupRenewal.select().first())
    paid(harness, pay, renewal["intent_id"], 2000)
    before = row["expires_at"]
    harness.run(enforce(harness.hall, "alpha"))
    harness.run(enforce(harness.hall, "alpha"))
    assert harness.in_tenant("alpha", lambda: DialupRenewal.select().first())["state"] == "refunded"
    assert harness.in_tenant("alpha", lambda: DialupAccount.select().first())["expires_at"] == before
    refunds = harness.in_tenant("alpha", lambda: Refund.select().where(Refund.intent_id == renewal["intent_id"]))
    assert len(refunds) == 1 and refunds[0]["amount_fen"] == 2000
