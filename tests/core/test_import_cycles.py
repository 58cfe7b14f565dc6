"""The core's import graph: Piccolo's configuration module stays light, and no large import circle comes back.

``python scripts/import_cycles.py`` prints the cycles when one of these fails.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _script():
    spec = importlib.util.spec_from_file_location("import_cycles", REPO / "scripts" / "import_cycles.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_piccolo_conf_imports_without_the_hall():
    code = "import sys, core.db.piccolo_conf; print('core.hall' in sys.modules, 'core.plugins' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "False"]


def test_the_hall_and_piccolo_conf_are_in_no_import_cycle():
    script = _script()
    groups = script.cycles(script.import_graph("core"))
    for module in ("core.hall", "core.db.piccolo_conf", "core.plugins", "core.hookspecs", "core.manifest"):
        assert not [g for g in groups if module in g], (
            f"{module} is in an import cycle: {[g for g in groups if module in g]}"
        )
    assert not groups or len(groups[0]) <= 10, f"an import cycle of {len(groups[0])} modules: {groups[0]}"


def test_the_cycle_finder_finds_a_cycle():
    script = _script()
    assert script.cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
