"""The ``check_config`` hook: plugins' own configuration problems join the one list start-up and ``hall check`` report."""

from __future__ import annotations

import os
import subprocess
import sys
import types
from pathlib import Path

import pytest
from pydantic import BaseModel, Field

from core.config import ConfigError, ConfigIssue
from core.hall import Hall
from core.hookspecs import hookimpl
from core.testing import TenantSpec, write_hall

REPO = Path(__file__).resolve().parents[2]

PICKY = '''"""A plugin whose configuration check always finds a problem (tests/core/test_check_config.py)."""

from core.config import ConfigIssue
from core.hookspecs import hookimpl


@hookimpl
def check_config(hall, tenant):
    if tenant is None:
        return [ConfigIssue(str(hall.settings.config_file), "plugins.picky.endpoint", "the picky service is not reachable from here")]
    return [ConfigIssue(str(tenant.path / "tenant.toml"), "plugins.picky.branch", f"tenant {tenant.id!r} names no branch")]
'''


def _config(tmp_path: Path, tenants: list[TenantSpec]) -> Path:
    return write_hall(tmp_path, tenants, database_url=f"sqlite:///{tmp_path}/h.sqlite3")


def _plugin(hall_issue: str | None = None, tenant_issue: str | None = None, seen: list | None = None):
    def check_config(hall, tenant):
        if seen is not None:
            seen.append(tenant.id if tenant is not None else None)
        if tenant is None:
            return [ConfigIssue("(hall)", "plugins.picky.endpoint", hall_issue)] if hall_issue else None
        return (
            [ConfigIssue(str(tenant.path / "tenant.toml"), "plugins.picky.branch", tenant_issue)]
            if tenant_issue
            else []
        )

    return types.SimpleNamespace(check_config=hookimpl(check_config))


def test_plugin_problems_join_the_other_configuration_problems(tmp_path):
    config = _config(tmp_path, [TenantSpec("alpha", plugins=["picky", "nosuch"], connector={})])
    with pytest.raises(ConfigError) as exc:
        Hall.from_config(config, extra_plugins={"picky": _plugin("no endpoint", "no branch")}, load_entrypoints=False)
    keys = [(issue.key, issue.reason) for issue in exc.value.issues]
    assert ("plugins.picky.endpoint", "no endpoint") in keys and ("plugins.picky.branch", "no branch") in keys
    assert any(key == "tenant.plugins[1]" and "unknown plugin 'nosuch'" in reason for key, reason in keys)


def test_asked_for_the_hall_and_for_each_tenant_that_enables_it(tmp_path):
    seen: list = []
    config = _config(tmp_path, [TenantSpec("alpha", plugins=["picky"], connector={}), TenantSpec("beta", connector={})])
    Hall.from_config(config, extra_plugins={"picky": _plugin(seen=seen)}, load_entrypoints=False)
    assert seen == [None, "alpha"]


class PickySettings(BaseModel):
    branches: int = Field(1, ge=1)


def test_not_asked_for_a_tenant_whose_plugin_settings_are_already_wrong(tmp_path):
    seen: list = []
    config = _config(
        tmp_path,
        [
            TenantSpec("alpha", plugins=["picky"], connector={}, plugin_settings={"picky": {"branches": 0}}),
            TenantSpec("beta", plugins=["picky"], connector={}),
        ],
    )
    plugin = _plugin(seen=seen)
    plugin.register_settings = hookimpl(lambda hall: PickySettings)
    with pytest.raises(ConfigError) as exc:
        Hall.from_config(config, extra_plugins={"picky": plugin}, load_entrypoints=False)
    assert [i.key for i in exc.value.issues] == ["plugins.picky.branches"]  # reported once, by the settings validation
    assert seen == [None, "beta"]


def test_a_crashing_check_is_reported_and_the_others_still_run(tmp_path):
    def boom(hall, tenant):
        raise RuntimeError("cannot read the branch list")

    config = _config(tmp_path, [TenantSpec("alpha", connector={})])
    with pytest.raises(ConfigError) as exc:
        Hall.from_config(
            config,
            extra_plugins={
                "crashy": types.SimpleNamespace(check_config=hookimpl(boom)),
                "picky": _plugin("no endpoint"),
            },
            load_entrypoints=False,
        )
    issues = {(i.key, i.reason) for i in exc.value.issues}
    assert (
        "plugins.crashy",
        "the plugin's configuration check failed: RuntimeError('cannot read the branch list')",
    ) in issues
    assert ("plugins.picky.endpoint", "no endpoint") in issues


def test_a_broken_work_order_type_is_reported_through_check_config(tmp_path):
    from core.workorders.types import State, WorkOrderType

    broken = WorkOrderType(
        code="picky.x",
        label="X",
        prefix="PX",
        states=(State("new", "New"),),
        transitions=(),
        initial="nowhere",
        terminal=("new",),
    )
    config = _config(tmp_path, [TenantSpec("alpha", plugins=["nosuch"], connector={})])
    with pytest.raises(ConfigError) as exc:
        Hall.from_config(
            config,
            extra_plugins={"picky": types.SimpleNamespace(register_workorder_types=hookimpl(lambda hall: [broken]))},
            load_entrypoints=False,
        )
    keys = [i.key for i in exc.value.issues]
    assert "register_workorder_types" in keys and "tenant.plugins[0]" in keys  # both, in one report


def test_hall_check_lists_a_plugins_problems_with_file_key_and_reason(tmp_path):
    config = _config(tmp_path, [TenantSpec("alpha", plugins=["picky", "nosuch"], connector={})])
    site = tmp_path / "site"
    (site / "hall_picky-0.dist-info").mkdir(parents=True)
    (site / "hall_picky-0.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\nName: hall-picky\nVersion: 0\n")
    (site / "hall_picky-0.dist-info" / "entry_points.txt").write_text("[hall]\npicky = picky_plugin\n")
    (site / "picky_plugin.py").write_text(PICKY, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALL_")}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), str(site)])
    result = subprocess.run(
        [sys.executable, "-m", "core.cli", "--config", str(config), "check"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    tenant_file = tmp_path / "tenants" / "alpha" / "tenant.toml"
    assert f"{config}: plugins.picky.endpoint: the picky service is not reachable from here" in result.stderr
    assert f"{tenant_file}: plugins.picky.branch: tenant 'alpha' names no branch" in result.stderr
    assert f"{tenant_file}: tenant.plugins[1]: unknown plugin 'nosuch'" in result.stderr
