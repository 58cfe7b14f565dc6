"""A bill against the previous month's: per item code the change in fen, largest first, and the words that explain it."""

from __future__ import annotations

from dataclasses import dataclass

from core.api import N_, format_fen

INCREASED = N_("%(item)s increased by ¥%(amount)s (+%(percent)s%%)")
DECREASED = N_("%(item)s decreased by ¥%(amount)s (-%(percent)s%%)")
NEW = N_("%(item)s is new this month: ¥%(amount)s")
GONE = N_("%(item)s is not charged this month (last month ¥%(amount)s)")


@dataclass(frozen=True)
class Change:
    code: str
    name: str
    before_fen: int
    after_fen: int

    @property
    def delta_fen(self) -> int:
        return self.after_fen - self.before_fen

    @property
    def kind(self) -> str:
        if self.before_fen == 0 and self.after_fen != 0:
            return "new"
        if self.after_fen == 0 and self.before_fen != 0:
            return "gone"
        return "up" if self.delta_fen > 0 else "down"

    def percent(self) -> int:
        """|delta| as a whole percentage of last month, rounded half up in integers (no float)."""
        return (
            (abs(self.delta_fen) * 200 + abs(self.before_fen)) // (2 * abs(self.before_fen)) if self.before_fen else 0
        )

    def explanation(self) -> tuple[str, dict]:
        """(message id, values) for ``_()``: translated where it is shown."""
        if self.kind == "new":
            return NEW, {"item": self.name, "amount": format_fen(self.after_fen)}
        if self.kind == "gone":
            return GONE, {"item": self.name, "amount": format_fen(self.before_fen)}
        return (INCREASED if self.kind == "up" else DECREASED), {
            "item": self.name,
            "amount": format_fen(abs(self.delta_fen)),
            "percent": self.percent(),
        }


def _by_code(items: list[dict]) -> dict[str, tuple[str, int]]:
    out: dict[str, tuple[str, int]] = {}
    for item in items:
        key = item["code"] or item["name"]
        name, amount = out.get(key, (item["name"], 0))
        out[key] = (name, amount + int(item["amount_fen"]))
    return out


def compare(current: list[dict], previous: list[dict]) -> list[Change]:
    """Every item whose amount changed, new and vanished ones included, sorted by |delta| (largest first), then code."""
    now, before = _by_code(current), _by_code(previous)
    changes = []
    for code in now.keys() | before.keys():
        name = (now.get(code) or before[code])[0]
        change = Change(code, name, before.get(code, ("", 0))[1], now.get(code, ("", 0))[1])
        if change.delta_fen:
            changes.append(change)
    return sorted(changes, key=lambda c: (-abs(c.delta_fen), c.code))
