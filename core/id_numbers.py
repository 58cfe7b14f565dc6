"""Resident ID numbers (居民身份证号码, GB 11643-1999): the one validation the whole hall uses.

A number is accepted when it is well formed: 18 characters, 17 digits and a
check character (0-9 or X, ISO 7064 MOD 11-2), a birth date that is a real day
between 1900-01-01 and today, and an area code whose first digit is 1-8.

Why not ``stdnum.cn.ric``: it also checks the area code against the date the
county came into being, and refuses holders born before their county was
created or renamed (a Pudong or Binhai New Area resident born in 1960). Whole
provinces' customers were quarantined for it. Area codes are kept from the
birth place at issue time *or* reassigned when a card is renewed, so that
check is wrong for real cards; it is not done here.

15-digit numbers (cards issued before 1999: YYMMDD birth dates in the 1900s,
no check character) are converted to their 18-digit form, so the hall hashes
and matches every number in that form: an old number in the legacy system
matches the new one typed at sign-up, and the other way round.
"""

from __future__ import annotations

import datetime as dt

EARLIEST_BIRTH = dt.date(1900, 1, 1)
CHECK_CHARS = "10X98765432"  # index: weighted sum mod 11
WEIGHTS = tuple(2 ** (17 - i) % 11 for i in range(17))
CHINA = dt.timezone(dt.timedelta(hours=8))  # birth dates are Chinese calendar days, whatever the server's zone


def check_char(first17: str) -> str:
    """The GB 11643 check character of 17 digits."""
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


def from_legacy(number15: str) -> str:
    """A 15-digit number in its 18-digit form: century "19" inserted, check character computed."""
    first17 = number15[:6] + "19" + number15[6:]
    return first17 + check_char(first17)


def _birth_date(digits: str, today: dt.date) -> dt.date:
    try:
        born = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise ValueError(f"birth date {digits} is not a calendar date") from None
    if not EARLIEST_BIRTH <= born <= today:
        raise ValueError(f"birth date {born.isoformat()} is not between {EARLIEST_BIRTH.isoformat()} and today")
    return born


def normalise_id_number(value: str, *, today: dt.date | None = None) -> str:
    """The 18-character form (check character upper case) of a valid ID number; ValueError saying why otherwise.

    ``today`` bounds the birth date (tests pass a fixed day); by default it is today in China.
    """
    number = "".join(str(value or "").split()).upper()
    today = today or dt.datetime.now(CHINA).date()
    if len(number) == 15:
        if not number.isdigit():
            raise ValueError("a 15-digit ID number has digits only")
        number = from_legacy(number)
    elif len(number) == 18:
        if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
            raise ValueError("an ID number has 17 digits and a check character (0-9 or X)")
    else:
        raise ValueError("an ID number has 18 characters (15 digits on a card issued before 1999)")
    if number[0] not in "12345678":
        raise ValueError(f"area code {number[:6]} is not one of a province")
    _birth_date(number[6:14], today)
    if number[17] != check_char(number[:17]):
        raise ValueError("the check character does not match")
    return number


def is_valid_id_number(value: str, *, today: dt.date | None = None) -> bool:
    try:
        normalise_id_number(value, today=today)
    except ValueError:
        return False
    return True
