"""Menu items and home panels contributed by plugins through hooks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class MenuItem:
    label: str  # message id, translated when shown
    path: str  # inside the tenant, e.g. "/notices/"
    permission: str | None = None  # operators only: shown when the operator has it
    order: int = 100
    icon: str = ""


@dataclass
class Panel:
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    title: str = ""  # message id
    permission: str | None = None
    order: int = 100
    html: str = ""  # filled by the core: the template rendered with the page's context plus ``context``
