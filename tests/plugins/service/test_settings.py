"""[plugins.service] is validated per tenant: a bad category, department code or number names the file, key and reason."""

from __future__ import annotations

import pytest

from core.api import ConfigError
from core.api.testing import TenantSpec, write_hall
from core.hall import Hall


def _issues(tmp_path, settings: dict) -> list[str]:
    config = write_hall(
        tmp_path,
        [TenantSpec("alpha", plugins=["service"], connector={}, plugin_settings={"service": settings})],
        database_url=f"sqlite:///{tmp_path}/h.sqlite3",
    )
    with pytest.raises(ConfigError) as exc:
        Hall.from_config(config, connect_tenants=False)
    return [str(i) for i in exc.value.issues]


def test_unknown_category_is_reported_with_file_and_key(tmp_path):
    [issue] = _issues(tmp_path, {"complaint_departments": {"biling": "BILL"}})
    assert (
        "alpha/tenant.toml: plugins.service.complaint_departments" in issue
        and "unknown complaint category 'biling'" in issue
    )


def test_bad_department_code_deadline_and_limits_are_reported(tmp_path):
    issues = " ".join(
        _issues(
            tmp_path, {"default_department": "客服 部", "reopen_days": -1, "workorder_deadline_hours": {"complain": 4}}
        )
    )
    assert "plugins.service.default_department" in issues and "plugins.service.reopen_days" in issues
    assert "unknown work-order type 'complain'" in issues


def test_valid_settings_reach_the_plugin(tmp_path):
    config = write_hall(
        tmp_path,
        [
            TenantSpec(
                "alpha",
                plugins=["service"],
                connector={},
                plugin_settings={
                    "service": {
                        "complaint_departments": {"staff": "HR"},
                        "reopen_days": 3,
                        "workorder_deadline_hours": {"complaint": 12},
                    }
                },
            )
        ],
        database_url=f"sqlite:///{tmp_path}/h.sqlite3",
    )
    settings = Hall.from_config(config, connect_tenants=False).tenants.get("alpha").plugin_settings("service")
    assert settings.complaint_departments == {"staff": "HR"} and settings.reopen_days == 3
    assert settings.workorder_deadline_hours == {"complaint": 12}
