"""Searching the BSS's number pool (the connector's ``number_pool`` port, read live) with the hall's holds and the
tenant's premium grades applied: what a customer picking a number sees."""

from __future__ import annotations

from dataclasses import dataclass

from core.api import N_
from core.api.legacy import NumberPoolSource, NumberQuery, PoolNumber
from core.api.web import FieldErrors

from . import holds
from .grades import grade_by_code, grade_of
from .settings import Grade, PhoneSettings

DIGITS = N_("Digits only, please.")
FILTERS = ("kind", "segment", "contains", "ends_with", "without", "grade", "after")


@dataclass(frozen=True)
class Offer:
    """A free number as the customer sees it: the pool's row, the tenant's grade (None: ordinary)."""

    pool: PoolNumber
    grade: Grade | None

    @property
    def number(self) -> str:
        return self.pool.number

    @property
    def prepay_fen(self) -> int:
        return self.grade.prepay_fen if self.grade else 0

    @property
    def min_spend_fen(self) -> int:
        return max(self.grade.min_spend_fen if self.grade else 0, self.pool.min_spend_fen)


def pool_of(hall, tenant) -> NumberPoolSource | None:
    connector = hall.connector(tenant)
    return connector if isinstance(connector, NumberPoolSource) else None


def parse_filters(values: dict[str, str], settings: PhoneSettings) -> dict[str, str]:
    """The search form's values, checked: FieldErrors next to a field that is not digits or not a known choice."""
    problems = FieldErrors()
    out = {k: (values.get(k) or "").strip()[:16] for k in FILTERS}
    for name in ("segment", "contains", "ends_with", "without", "after"):
        if out[name] and not (out[name].isascii() and out[name].isdigit()):
            problems.add(name, DIGITS)
    if out["kind"] not in ("", "mobile", "fixed"):
        out["kind"] = ""
    if out["grade"] not in ("", "ordinary") and grade_by_code(settings, out["grade"]) is None:
        out["grade"] = ""
    if problems.errors:
        raise problems
    return out


def _wanted(offer: Offer, grade: str) -> bool:
    if grade == "ordinary":
        return offer.grade is None
    return not grade or (offer.grade is not None and offer.grade.code == grade)


async def search(pool: NumberPoolSource, settings: PhoneSettings, f: dict[str, str]) -> tuple[list[Offer], str]:
    """One page of free numbers matching ``f`` that nobody holds in the hall; (offers, the next page's key or "")."""
    after, found = f["after"], []
    for _ in range(10):  # a grade filter is the tenant's, not the BSS's: read a few pool pages to fill one
        page = await pool.free_numbers(
            NumberQuery(
                kind=f["kind"],
                prefix=f["segment"],
                contains=f["contains"],
                ends_with=f["ends_with"],
                without=f["without"],
                after=after,
                limit=min(settings.page_size * 2, 200),
            )
        )
        taken = await holds.held_numbers([n.number for n in page.numbers])
        for n in page.numbers:
            offer = Offer(n, grade_of(settings, n.number))
            if n.problem or n.status != "free" or n.number in taken or not _wanted(offer, f["grade"]):
                continue
            found.append(offer)
            if len(found) == settings.page_size:
                return found, n.number
        after = page.next_after
        if not after:
            break
    return found, after


async def offer_of(pool: NumberPoolSource, settings: PhoneSettings, number: str) -> Offer | None:
    """The number as the pool has it right now (counter clerks pick numbers too), or None when it is not free."""
    n = await pool.number_status(number)
    if n is None or n.problem or n.status != "free":
        return None
    return Offer(n, grade_of(settings, n.number))
