"""Themes: ``themes/<name>/theme.toml`` (parent theme, variables), templates/ and static/."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from core.config.errors import ConfigIssue


@dataclass(frozen=True)
class Theme:
    name: str
    path: Path
    parent: str
    label: str
    variables: dict = field(default_factory=dict, hash=False, compare=False)
    console: str = ""  # the theme the operator console uses instead (a kiosk's large-touch look is for customers only)

    @property
    def templates(self) -> Path:
        return self.path / "templates"

    @property
    def static(self) -> Path:
        return self.path / "static"


def load_themes(themes_dir: Path) -> tuple[dict[str, Theme], list[ConfigIssue]]:
    themes: dict[str, Theme] = {}
    issues: list[ConfigIssue] = []
    if not themes_dir.is_dir():
        return themes, [ConfigIssue(str(themes_dir), "-", "themes folder does not exist")]
    for toml_file in sorted(themes_dir.glob("*/theme.toml")):
        try:
            data = tomllib.loads(toml_file.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            issues.append(ConfigIssue(str(toml_file), "-", f"not valid TOML: {exc}"))
            continue
        meta = data.get("theme", {})
        themes[toml_file.parent.name] = Theme(
            name=toml_file.parent.name,
            path=toml_file.parent,
            parent=str(meta.get("extends", "")),
            label=str(meta.get("label", toml_file.parent.name)),
            variables=dict(data.get("variables", {})),
            console=str(meta.get("console", "")),
        )
    for theme in themes.values():
        seen = {theme.name}
        parent = theme.parent
        while parent:
            if parent not in themes:
                issues.append(
                    ConfigIssue(
                        str(theme.path / "theme.toml"), "theme.extends", f"parent theme {parent!r} does not exist"
                    )
                )
                break
            if parent in seen:
                issues.append(
                    ConfigIssue(
                        str(theme.path / "theme.toml"),
                        "theme.extends",
                        f"themes extend each other in a loop ({' → '.join(seen)} → {parent})",
                    )
                )
                break
            seen.add(parent)
            parent = themes[parent].parent
        if theme.console and theme.console not in themes:
            issues.append(
                ConfigIssue(
                    str(theme.path / "theme.toml"), "theme.console", f"console theme {theme.console!r} does not exist"
                )
            )
    return themes, issues


def theme_chain(themes: dict[str, Theme], name: str) -> list[Theme]:
    """The theme and its ancestors, nearest first."""
    chain = []
    while name and name in themes and themes[name] not in chain:
        chain.append(themes[name])
        name = themes[name].parent
    return chain


def theme_for(themes: dict[str, Theme], name: str, audience: str) -> str:
    """The theme a page for ``audience`` uses: operators get the theme's ``console`` theme when it names one."""
    if audience == "operator" and name in themes and themes[name].console:
        return themes[name].console
    return name


def theme_variables(themes: dict[str, Theme], name: str) -> dict:
    """Variables merged down the chain: a child overrides its parent key by key."""
    merged: dict = {}
    for theme in reversed(theme_chain(themes, name)):
        merged.update(theme.variables)
    return merged
