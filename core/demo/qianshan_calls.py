"""Call records of the qianshan demo BSS: one table a month (``TG_CDR_2405``), loaded file by file.

Each load file of the switch becomes a header row (``RECORD_TYPE '00'``: the
file name in ``SERIAL_NUMBER``, its first record's time), its voice (``'10'``)
and SMS (``'20'``) records, and a trailer row (``'99'``: the record count in
``DURATION`` and the file's total charge in ``FEE_LI``). Header and trailer
rows are not calls: a mapping must filter them by ``RECORD_TYPE``. ``CDR_ID``
only increases, across months. ``SERIAL_NUMBER`` of a record is the number as
the switch reports it: the whole number, area code included for a fixed line
(``T_USER`` keeps the local part). Charges are in li, whole fen.
"""

from __future__ import annotations

import datetime as dt
import random

from core.demo.era import Month, add_months, month_start
from core.demo.qianshan_clock import stamp
from core.demo.qianshan_people import CITIES, MOBILE_PREFIXES, Customer, User
from core.demo.qianshan_schema import CALL_TYPE, RECORD_TYPE

FILE_SIZE = 150  # records per switch file
PER_MINUTE_LI = {"01": 150, "02": 300, "03": 600, "04": 6000, "05": 600}  # fixed-line local calls: 100
SMS_LI = 100
ELSEWHERE_AREAS = ("010", "021", "020", "027", "0531", "0431", "0451")
COUNTRIES = ("1", "44", "81", "82", "7", "852", "886")
LOCAL_DIGITS = {c.area: c.local_digits for c in CITIES}


def _fixed(rng: random.Random, area: str) -> str:
    """A fixed number of a Qianshan city, area code included."""
    digits = LOCAL_DIGITS[area]
    return f"{area}{rng.randrange(2, 9)}{rng.randrange(10 ** (digits - 1)):0{digits - 1}d}"


def call(rng: random.Random, user: User) -> tuple[str, str, str, int, int]:
    """(RECORD_TYPE, CALL_TYPE, OTHER_PARTY, DURATION s, FEE_LI) of one record of ``user``."""
    mobile = user.kind == "mobile"
    roll = rng.random()
    if mobile and roll < 0.2:
        other = f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"
        return RECORD_TYPE["sms"], CALL_TYPE["sms"], other, 0, SMS_LI
    seconds = int(rng.expovariate(1 / 120)) + 1
    minutes = (seconds + 59) // 60
    roll = rng.random()
    if roll < 0.70:
        kind = "local"
        other = (
            _fixed(rng, user.area) if rng.random() < 0.5 else f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"
        )
    elif roll < 0.85:
        kind, other = "province_toll", _fixed(rng, rng.choice([c.area for c in CITIES if c.area != user.area]))
    elif roll < 0.95:
        kind, other = "national_toll", f"{rng.choice(ELSEWHERE_AREAS)}{rng.randrange(10**7, 10**8)}"
    elif roll < 0.98 and mobile:
        kind, other = "roaming", f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"
    else:
        kind, other = "international", f"00{rng.choice(COUNTRIES)}{rng.randrange(10**7, 10**9)}"
    code = CALL_TYPE[kind]
    rate = 100 if code == "01" and not mobile else PER_MINUTE_LI[code]
    return RECORD_TYPE["voice"], code, other, seconds, minutes * rate


def _count(rng: random.Random, user: User, barred: bool, partial: bool) -> int:
    """How many records ``user`` makes in a month (``partial``: the current month so far; ``barred``: lines in debt are)."""
    if user.state == "suspended_by_request" or (user.state == "suspended_for_debt" and (barred or partial)):
        return 0
    return rng.randrange(0, 9) if partial else rng.randrange(3, 25)


def month_records(
    rng: random.Random, customers: list[Customer], month: Month, until: dt.datetime, debt_months: set[Month]
) -> list[tuple[User, dict]]:
    """The calls of ``month`` up to ``until`` (the whole month when it is over), oldest first: (user, row without CDR_ID)."""
    start = month_start(month)
    end = min(month_start(add_months(month, 1)), until)
    span = int((end - start).total_seconds())
    partial = end < month_start(add_months(month, 1))
    out = []
    for customer in customers:
        for account in customer.accounts:
            for user in account.users:
                opened = dt.datetime.combine(user.opened, dt.time())
                if user.removed or user.kind == "broadband" or opened >= end:
                    continue
                count = _count(rng, user, month in debt_months, partial)
                for _ in range(count):
                    record_type, code, other, seconds, fee = call(rng, user)
                    began = max(start, opened) + dt.timedelta(seconds=rng.randrange(max(1, span)))
                    began = min(began, end - dt.timedelta(seconds=1))
                    row = {
                        "RECORD_TYPE": record_type,
                        "USER_ID": user.user_id,
                        "SERIAL_NUMBER": user.number,
                        "OTHER_PARTY": other,
                        "START_TIME": stamp(began),
                        "DURATION": seconds,
                        "CALL_TYPE": code,
                        "FEE_LI": fee,
                    }
                    out.append((user, row))
    out.sort(key=lambda pair: (pair[1]["START_TIME"], pair[0].user_id))
    return out


def as_files(records: list[dict], month: Month, first_id: int, file_no: int = 1) -> list[dict]:
    """``records`` wrapped in switch files (header, up to FILE_SIZE records, trailer), numbered from ``first_id``."""
    rows, next_id = [], first_id
    for start in range(0, len(records), FILE_SIZE):
        chunk = records[start : start + FILE_SIZE]
        name = f"QSCDR{month[0]}{month[1]:02d}{file_no:04d}"
        file_no += 1
        rows.append(_framing(next_id, "header", name, chunk[0]["START_TIME"], 0, 0))
        next_id += 1
        for record in chunk:
            rows.append({"CDR_ID": next_id, **record})
            next_id += 1
        total = sum(r["FEE_LI"] for r in chunk)
        rows.append(_framing(next_id, "trailer", name, chunk[-1]["START_TIME"], len(chunk), total))
        next_id += 1
    return rows


def _framing(cdr_id: int, kind: str, name: str, when: str, count: int, total: int) -> dict:
    return {
        "CDR_ID": cdr_id,
        "RECORD_TYPE": RECORD_TYPE[kind],
        "USER_ID": None,
        "SERIAL_NUMBER": name,
        "OTHER_PARTY": None,
        "START_TIME": when,
        "DURATION": count,
        "CALL_TYPE": "  ",
        "FEE_LI": total,
    }
