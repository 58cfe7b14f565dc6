"""Configuration problems, each naming the file, the key and the reason."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ConfigIssue:
    file: str
    key: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.key}: {self.reason}"


class ConfigError(Exception):
    """Raised at start-up (and reported by ``hall check``) when configuration is invalid."""

    def __init__(self, issues: list[ConfigIssue]):
        self.issues = issues
        super().__init__("invalid configuration:\n" + "\n".join(f"  - {i}" for i in issues))
