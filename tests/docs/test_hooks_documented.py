"""Every hookspec has a docstring and a section in docs/hooks.md showing its current signature."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from core import hookspecs

HOOKS_MD = Path(__file__).resolve().parents[2] / "docs" / "hooks.md"


def specs() -> dict[str, object]:
    return {name: fn for name, fn in inspect.getmembers(hookspecs, inspect.isfunction) if hasattr(fn, "hall_spec")}


def sections() -> dict[str, str]:
    """``### name`` heading → the text up to the next heading."""
    text = HOOKS_MD.read_text(encoding="utf-8")
    parts = re.split(r"^### +`?(\w+)`? *$", text, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def test_there_are_hookspecs():
    assert len(specs()) >= 10  # guards against the discovery above silently finding nothing


@pytest.mark.parametrize("name", sorted(specs()))
def test_hookspec_has_docstring(name):
    assert (inspect.getdoc(specs()[name]) or "").strip(), f"hookspec {name} in core/hookspecs.py has no docstring"


@pytest.mark.parametrize("name", sorted(specs()))
def test_hookspec_documented_with_its_signature(name):
    documented = sections()
    assert name in documented, f"docs/hooks.md has no '### {name}' section"
    signature = f"{name}({', '.join(inspect.signature(specs()[name]).parameters)})"
    assert signature in documented[name], f"docs/hooks.md: the {name} section does not show the signature {signature}"


def test_no_section_for_a_hook_that_does_not_exist():
    stale = sorted(set(sections()) - set(specs()))
    assert not stale, f"docs/hooks.md documents hooks core/hookspecs.py no longer has: {stale}"
