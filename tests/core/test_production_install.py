"""A production install (``pip install .``, make venv-prod) has no test tools, and the runtime never needs them.

Building a real virtualenv takes minutes and the network; instead the
runtime's dependency list is read from pyproject.toml, and every module of
core/ and plugins/ (but core.testing and the demo's generators) is imported
in a fresh interpreter where the test and demo packages cannot be imported.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

from core.testing.crash import REPO, child_env

TEST_ONLY = {"pytest", "pytest-xdist", "pytest-asyncio", "playwright", "pypdf", "hypothesis"}
DEMO_ONLY = {"faker", "aiosmtpd"}  # httpx is runtime: the cloud SMS providers speak HTTP (core/notify/sms)
DEMO_MODULES = ("core.legacy.demo", "plugins.alipay.sandbox.app", "plugins.alipay.sandbox.notifier", "plugins.alipay.sandbox.runner")

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
        if info.name.startswith("core.testing") or info.name.endswith("__main__") or info.name in skip:
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
    assert TEST_ONLY <= _names(project["optional-dependencies"]["test"]) and "hall" in _names(project["optional-dependencies"]["test"])


def test_every_runtime_module_imports_without_test_or_demo_packages():
    done = subprocess.run([sys.executable, "-c", BLOCKED_IMPORTS, *DEMO_MODULES], capture_output=True, text=True, env=child_env(), cwd=REPO)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "imported everything" in done.stdout
