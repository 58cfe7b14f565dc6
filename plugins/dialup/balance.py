"""What is left on an account: hours or money, the expiry, and whether it may dial in - from the hall's row and
the seconds radacct counted."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

UTC = dt.timezone.utc


@dataclass(frozen=True)
class Balance:
    kind: str
    used_seconds: int
    seconds_left: int | None  # hours and money; None: unlimited
    money_left_fen: int | None  # money only
    expires_at: dt.datetime | None
    expired: bool
    exhausted: bool


def balance_of(account: dict, used_seconds: int, now: dt.datetime | None = None) -> Balance:
    now = now or dt.datetime.now(UTC)
    kind = account["kind"]
    seconds_left = money_left = None
    if kind == "hours":
        seconds_left = max(0, int(account["seconds_total"]) - used_seconds)
    elif kind == "money":
        rate = int(account["rate_fen_per_hour"]) or 1
        spent = -(-used_seconds * rate // 3600)  # every started second is paid for, rounded up to a fen
        money_left = max(0, int(account["money_fen"]) - spent)
        seconds_left = money_left * 3600 // rate
    expires = account["expires_at"]
    return Balance(
        kind=kind,
        used_seconds=used_seconds,
        seconds_left=seconds_left,
        money_left_fen=money_left,
        expires_at=expires,
        expired=expires is not None and expires <= now,
        exhausted=seconds_left is not None and seconds_left <= 0,
    )
