"""The code base passes ``ruff check`` with the rules of pyproject.toml ([tool.ruff]): unused imports, real bugs (B), old idioms (UP)."""

from __future__ import annotations

import subprocess
import sys

from core.testing.crash import REPO


def test_ruff_check_finds_nothing():
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise", "."],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert "No module named ruff" not in done.stderr, "ruff is missing: install the test extra (pip install '.[test]')"
    assert done.returncode == 0, (
        f"ruff check found problems (fix them, `ruff check --fix` for the safe ones):\n{done.stdout}{done.stderr}"
    )


def test_ruff_format_leaves_the_code_as_it_is():
    """One layout for everyone ([tool.ruff.format]); `ruff format .` fixes what this finds (docs/ is quoted by hand)."""
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "--no-cache", "."], capture_output=True, text=True, cwd=REPO
    )
    assert done.returncode == 0, f"files ruff format would change (run `ruff format .`):\n{done.stdout}{done.stderr}"
