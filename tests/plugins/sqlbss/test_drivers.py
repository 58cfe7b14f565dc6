"""Legacy database drivers are optional extras: a missing one is a clear `connector.url` problem, not a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from core.config import ConfigError
from core.testing import TenantSpec, write_hall
from plugins.sqlbss.drivers import connect_args
from plugins.sqlbss.legacy_db import make_engine
from plugins.sqlbss.mapping import parse_mapping

REPO = Path(__file__).resolve().parents[3]
CUSTOMERS = {"table": "CUST", "key": "CUST_ID", "name": "NAME", "id_number": "CERT", "changed": "UPD"}
NUMBERS = {"table": "SUBS", "number": "NBR", "customer_key": "CUST_ID"}


def _mapping(url: str, tmp_path: Path):
    return parse_mapping(
        {"type": "sqlbss", "url": url, "customers": CUSTOMERS, "numbers": NUMBERS}, tmp_path / "tenant.toml"
    )


@pytest.mark.parametrize(
    ("url", "module", "extra"),
    [
        ("mysql+pymysql://hall:pw@10.0.0.5:3306/bss?charset=utf8mb4", "pymysql", "mysql"),
        ("oracle+oracledb://hall:pw@10.0.0.6:1521/?service_name=XE", "oracledb", "oracle"),
    ],
)
def test_a_missing_driver_names_the_extra_to_install(tmp_path, monkeypatch, url, module, extra):
    monkeypatch.setitem(sys.modules, module, None)  # `import pymysql` now fails as if it were not installed
    with pytest.raises(ConfigError) as exc:
        make_engine(_mapping(url, tmp_path), tmp_path, str(tmp_path / "tenant.toml"))
    (issue,) = exc.value.issues
    assert issue.key == "connector.url" and f"install hall[{extra}]" in issue.reason and repr(module) in issue.reason


def test_installed_drivers_build_engines_without_connecting(tmp_path):
    mysql = make_engine(_mapping("mysql+pymysql://hall:pw@10.0.0.5:3306/bss", tmp_path), tmp_path)
    oracle = make_engine(_mapping("oracle+oracledb://hall:pw@10.0.0.6:1521/?service_name=XE", tmp_path), tmp_path)
    assert (mysql.dialect.driver, oracle.dialect.driver) == ("pymysql", "oracledb")
    assert (
        connect_args(mysql.url)["charset"] == "utf8mb4"
    )  # Chinese names need 4-byte UTF-8 unless the URL says otherwise
    assert "charset" not in connect_args(sa.make_url("mysql+pymysql://h@x/bss?charset=gbk"))


def test_hall_check_reports_the_missing_driver(tmp_path):
    connector = {
        "type": "sqlbss",
        "url": "mysql+pymysql://hall:pw@127.0.0.1:9/bss",
        "customers": CUSTOMERS,
        "numbers": NUMBERS,
    }
    config = write_hall(
        tmp_path, [TenantSpec("alpha", connector=connector)], database_url=f"sqlite:///{tmp_path}/h.sqlite3"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALL_")}
    without_pymysql = (
        "import sys; sys.modules['pymysql'] = None; from core.cli import main; sys.argv[0] = 'hall'; main()"
    )
    result = subprocess.run(
        [sys.executable, "-c", without_pymysql, "--config", str(config), "check"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert (
        "connector.url: the driver 'pymysql' for mysql+pymysql:// URLs is not installed: install hall[mysql]"
        in result.stderr
    )
    assert "Traceback" not in result.stderr and ":pw@" not in result.stderr
