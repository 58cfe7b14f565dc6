"""The tenant's premium grades (靓号) applied to a number's digits: which grade, if any, a number falls in."""

from __future__ import annotations

from .settings import Grade, PhoneSettings

RUNS = "0123456789"


def _matches(pattern: str, number: str) -> bool:
    tail = number[-len(pattern) :] if len(number) >= len(pattern) else ""
    if not tail:
        return False
    if pattern in ("AAAA", "AAA"):
        return len(set(tail)) == 1
    if pattern == "ABCD":
        return tail in RUNS or tail in RUNS[::-1]
    if pattern == "AABB":
        return tail[0] == tail[1] and tail[2] == tail[3] and tail[0] != tail[2]
    if pattern == "ABAB":
        return tail[0] == tail[2] and tail[1] == tail[3] and tail[0] != tail[1]
    return False


def grade_of(settings: PhoneSettings, number: str) -> Grade | None:
    """The first grade (by priority) whose pattern or ending the number has; None: an ordinary number."""
    for grade in settings.sorted_grades():
        if any(_matches(p, number) for p in grade.patterns) or any(number.endswith(e) for e in grade.endings):
            return grade
    return None


def grade_by_code(settings: PhoneSettings, code: str) -> Grade | None:
    return next((g for g in settings.grades if g.code == code), None)
