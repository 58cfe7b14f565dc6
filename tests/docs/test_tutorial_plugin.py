"""The tutorial's plugin (docs/tutorial/hall_hours), tested the way docs/tutorial.md tells integrators to."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from core.api import ConfigError
from core.api.testing import TenantSpec, add_operator, check_plugin

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "docs" / "tutorial"))

import hall_hours  # noqa: E402

PLUGINS = {"hours": hall_hours}


@pytest.fixture
def harness(hall_factory):
    return hall_factory([TenantSpec("alpha", plugins=["hours"]), TenantSpec("beta")], extra_plugins=PLUGINS)


def test_public_page_only_where_enabled(harness):
    page = harness.client("alpha").get("/hours/")
    assert page.status_code == 200
    assert "08:30-17:30" in page.text and "营业时间" in page.text
    assert harness.client("beta").get("/hours/").status_code == 404


def test_follows_the_plugin_rules():
    assert check_plugin(hall_hours, name="hours") == []


def test_page_works_through_the_tenant_prefix_too(harness):
    assert harness.client("alpha", via_prefix=True).get("/hours/").status_code == 200
    assert harness.client("beta", via_prefix=True).get("/hours/").status_code == 404


def test_menu_item_and_home_panel_only_where_enabled(harness):
    alpha = harness.client("alpha").get("/").text
    beta = harness.client("beta").get("/").text
    assert 'href="/hours/"' in alpha and "09:00-16:00" in alpha
    assert "/hours/" not in beta and "09:00-16:00" not in beta


def test_home_panel_can_be_switched_off(hall_factory):
    harness = hall_factory(
        [TenantSpec("alpha", plugins=["hours"], plugin_settings={"hours": {"on_home": False}})], extra_plugins=PLUGINS
    )
    client = harness.client("alpha")
    assert "09:00-16:00" not in client.get("/").text
    assert "09:00-16:00" in client.get("/hours/").text


def test_console_page_needs_the_permission(harness):
    add_operator(harness, "alpha", "clerk", permissions=["hours.view"])
    add_operator(harness, "alpha", "cashier", permissions=[])
    clerk = harness.client("alpha")
    clerk.login_operator("clerk")
    page = clerk.get("/hours/console")
    assert page.status_code == 200 and "00:00-24:00" in page.text
    assert 'href="/hours/console"' in clerk.get("/console").text
    cashier = harness.client("alpha")
    cashier.login_operator("cashier")
    assert cashier.get("/hours/console").status_code == 403
    assert 'href="/hours/console"' not in cashier.get("/console").text
    anonymous = harness.client("alpha").get("/hours/console", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/console/login")


def test_console_page_is_404_where_disabled(harness):
    add_operator(harness, "beta", "boss")  # every known permission, hours.view included
    boss = harness.client("beta")
    boss.login_operator("boss")
    assert boss.get("/hours/console").status_code == 404
    assert "/hours/console" not in boss.get("/console").text


def test_tenant_settings_override_hall_settings(hall_factory):
    harness = hall_factory(
        [
            TenantSpec("alpha", plugins=["hours"], plugin_settings={"hours": {"note": "Closed on 1 October"}}),
            TenantSpec("gamma", plugins=["hours"]),
        ],
        extra_plugins=PLUGINS,
        deployment={"plugins": {"hours": {"note": "Open on public holidays", "weekends": ""}}},
    )
    alpha = harness.client("alpha").get("/hours/").text
    gamma = harness.client("gamma").get("/hours/").text
    assert "Closed on 1 October" in alpha and "Open on public holidays" in gamma
    assert "休息" in alpha and "休息" in gamma  # weekends = "" (closed) from hall.toml reaches both


def _issues(excinfo) -> dict[str, tuple[str, str]]:
    return {issue.key: (issue.file, issue.reason) for issue in excinfo.value.issues}


def test_bad_tenant_setting_names_file_and_key(hall_factory):
    with pytest.raises(ConfigError) as excinfo:
        hall_factory(
            [TenantSpec("alpha", plugins=["hours"], plugin_settings={"hours": {"weekdays": "17:30-08:30"}})],
            extra_plugins=PLUGINS,
        )
    file, reason = _issues(excinfo)["plugins.hours.weekdays"]
    assert file.endswith("tenants/alpha/tenant.toml")
    assert "closing time must be after the opening time" in reason and "17:30-08:30" in reason


def test_bad_hall_setting_names_hall_toml(hall_factory):
    with pytest.raises(ConfigError) as excinfo:
        hall_factory(
            [TenantSpec("alpha", plugins=["hours"])],
            extra_plugins=PLUGINS,
            deployment={"plugins": {"hours": {"hotline": "8-20"}}},
        )
    file, reason = _issues(excinfo)["plugins.hours.hotline"]
    assert file.endswith("hall.toml") and "HH:MM-HH:MM" in reason


def test_misspelt_key_is_an_error(hall_factory):
    with pytest.raises(ConfigError) as excinfo:
        hall_factory(
            [TenantSpec("alpha", plugins=["hours"], plugin_settings={"hours": {"weekday": "08:00-12:00"}})],
            extra_plugins=PLUGINS,
        )
    assert "unknown key" in _issues(excinfo)["plugins.hours.weekday"][1]


# -- docs/tutorial.md quotes the code it describes, verbatim ----------------------------------

QUOTE = re.compile(r"^```\w+ (\S+)\n(.*?)^```$", re.M | re.S)


def _quotes() -> list[tuple[str, str]]:
    return QUOTE.findall((REPO / "docs" / "tutorial.md").read_text(encoding="utf-8"))


def _source(path: str) -> Path:
    return REPO / path if path.startswith("tests/") else REPO / "docs" / "tutorial" / path


def test_tutorial_quotes_match_the_files():
    quotes = _quotes()
    assert len(quotes) >= 8
    for path, text in quotes:
        source = _source(path)
        assert source.is_file(), f"docs/tutorial.md quotes {path}, which does not exist"
        content = source.read_text(encoding="utf-8")
        if path.startswith("tests/"):
            assert text in content, f"docs/tutorial.md: the excerpt of {path} differs from the file"
        else:
            assert text == content, f"docs/tutorial.md: the quote of {path} differs from the file (quote it whole)"


def test_tutorial_quotes_every_plugin_file():
    quoted = {path for path, _ in _quotes()}
    root = REPO / "docs" / "tutorial"
    files = {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and not any(part == "__pycache__" or part.endswith(".egg-info") for part in p.parts)
    }
    assert files - quoted == set(), "docs/tutorial.md does not quote these files of docs/tutorial/"
