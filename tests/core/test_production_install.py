"""A production install (``pip install .``, make venv-prod) has no test tools, and the runtime never needs them.

Building a real virtualenv takes minutes and the network; instead the
runtime's dependency list is read from pyproject.toml, and every module of
core/ and plugins/ (but core.testing and the demo's generators) is imported
in a fresh interpreter where the test and demo packages cannot be imported.
With them installed, the runtime's entry points still leave them unimported,
and the demo commands without them say what to install.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

import pytest

from core.testing.crash import REPO, child_env

TEST_ONLY = {"pytest", "pytest-xdist", "pytest-asyncio", "playwright", "pypdf", "hypothesis"}
DEMO_ONLY = {"faker", "aiosmtpd"}  # httpx is runtime: the cloud SMS providers speak HTTP (core/notify/sms)
DEMO_MODULES = (
    "core.demo.legacy_db",
    *(
        f"core.demo.qianshan{part}"
        for part in ("", "_people", "_calls", "_billing", "_day", "_day_steps", "_day_arrivals")
    ),
    "plugins.alipay.sandbox.app",
    "plugins.alipay.sandbox.notifier",
    "plugins.alipay.sandbox.runner",
)

BLOCKED_IMPORTS = """
import importlib, pkgutil, sys
BLOCK = {"faker", "aiosmtpd", "pypdf", "pytest", "_pytest", "playwright", "hypothesis"}
class Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCK:
            raise ImportError(f"{name} is a test or demo package")
sys.meta_path.insert(0, Blocker())
skip = set(sys.argv[1:])
for top in ("core", "plugins"):
    for info in pkgutil.walk_packages(importlib.import_module(top).__path__, top + "."):
        if info.name.startswith(("core.testing", "core.api.testing")) or info.name.endswith("__main__") or info.name in skip:
            continue
        importlib.import_module(info.name)
from core.cli import cli
cli.main(args=["--help"], standalone_mode=False)
print("imported everything")
"""


def _names(requirements: list[str]) -> set[str]:
    return {re.split(r"[\[<>=!~ ;]", r, maxsplit=1)[0].lower() for r in requirements}


def test_the_runtime_dependencies_hold_no_test_or_demo_tools():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = _names(project["dependencies"])
    assert not runtime & (TEST_ONLY | DEMO_ONLY)
    assert DEMO_ONLY <= _names(project["optional-dependencies"]["demo"])
    assert TEST_ONLY <= _names(project["optional-dependencies"]["test"]) and "hall" in _names(
        project["optional-dependencies"]["test"]
    )


def test_every_runtime_module_imports_without_test_or_demo_packages():
    done = subprocess.run(
        [sys.executable, "-c", BLOCKED_IMPORTS, *DEMO_MODULES],
        capture_output=True,
        text=True,
        env=child_env(),
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "imported everything" in done.stdout


NOTHING_DEMO_LOADED = """
import importlib, pkgutil, sys
import core.cli, core.hall
import plugins
for info in pkgutil.walk_packages(plugins.__path__, "plugins."):
    if ".sandbox" not in info.name and not info.name.endswith("__main__"):  # the Alipay sandbox is the demo's
        importlib.import_module(info.name)
print(sorted(name for name in ("faker", "aiosmtpd") if name in sys.modules))
"""


def test_the_runtime_leaves_the_demo_packages_unimported_when_they_are_installed():
    """What hall serve, check, worker and backup import (the CLI, the hall, the plugins) never pulls in Faker or aiosmtpd."""
    import faker  # noqa: F401  (installed here: the test extra includes the demo extra)

    done = subprocess.run(
        [sys.executable, "-c", NOTHING_DEMO_LOADED], capture_output=True, text=True, env=child_env(), cwd=REPO
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"


WITHOUT_THE_DEMO_EXTRA = """
import sys
class Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("faker", "aiosmtpd"):
            raise ImportError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, Blocker())
from core.cli import main
main(sys.argv[1:])
"""


@pytest.mark.parametrize(
    "command", [["demo", "--prepare-only"], ["legacy-demo", "--style", "haibin", "--output", "x.sqlite3"]]
)
def test_demo_commands_without_the_demo_extra_say_what_to_install(tmp_path, command):
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_THE_DEMO_EXTRA, *command],
        capture_output=True,
        text=True,
        env=child_env(HALL_CONFIG=str(tmp_path / "hall.toml")),
        cwd=tmp_path,
    )
    assert done.returncode == 1, done.stdout[-2000:] + done.stderr[-2000:]
    assert "install hall[demo]" in done.stderr and "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []  # nothing written: no secrets file, no database
