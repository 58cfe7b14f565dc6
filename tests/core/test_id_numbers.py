"""Resident ID numbers: GB 11643 check character and birth date, no dated area-code table, 15 digits as 18."""

import datetime as dt

import pytest

from core.id_numbers import check_char, from_legacy, is_valid_id_number, normalise_id_number
from core.privacy import id_hash

TODAY = dt.date(2024, 5, 1)  # every test passes its own "today"

# Holders born before their county or district got its code (python-stdnum refuses these):
# Shanghai Pudong New Area (310115, 1993), Tianjin Binhai New Area (120116, 2009),
# Beijing Miyun District (110118, 2015), Hangzhou Lin'an District (330112, 2017),
# Hangzhou Fuyang District (330111, 2014), Nanjing Jiangning District (320115, 2000).
OLDER_THAN_THEIR_AREA_CODE = [
    ("310115", "19580312"),
    ("120116", "19620704"),
    ("110118", "19751120"),
    ("330112", "19830105"),
    ("330111", "19660930"),
    ("320115", "19551008"),
]


def number(area: str, birth: str, seq: str = "123") -> str:
    body = area + birth + seq
    return body + check_char(body)


@pytest.mark.parametrize(("area", "birth"), OLDER_THAN_THEIR_AREA_CODE)
def test_holders_older_than_their_area_code_are_accepted(area, birth):
    from stdnum.cn import ric

    n = number(area, birth)
    assert not ric.is_valid(n)  # the dated table that quarantined a province
    assert normalise_id_number(n, today=TODAY) == n


def test_known_check_characters():
    assert check_char("11010519491231002") == "X"  # the standard's own example
    assert check_char("44052418800101001") == "4"
    assert normalise_id_number("11010519491231002x", today=TODAY) == "11010519491231002X"
    assert normalise_id_number(" 110105 19491231 002X ", today=TODAY) == "11010519491231002X"


def test_wrong_check_character_is_refused():
    good = number("330106", "19850615")
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(ValueError, match="check character"):
        normalise_id_number(wrong, today=TODAY)


@pytest.mark.parametrize(
    ("birth", "why"),
    [
        ("19850231", "not a calendar date"),  # 31 February
        ("19851301", "not a calendar date"),
        ("20240502", "between"),  # the day after "today"
        ("18991231", "between"),
    ],
)
def test_impossible_birth_dates_are_refused(birth, why):
    with pytest.raises(ValueError, match=why):
        normalise_id_number(number("330106", birth), today=TODAY)


def test_birth_today_is_accepted_and_tomorrow_is_not():
    assert is_valid_id_number(number("330106", "20240501"), today=TODAY)
    assert not is_valid_id_number(number("330106", "20240501"), today=dt.date(2024, 4, 30))


@pytest.mark.parametrize(
    "value",
    [
        "",
        "3301061985061512",
        "33010619850615123Y",
        "A30106198506151230",
        "03010619850615123X",
        "93010619850615123X",
        "33010685061512A",
    ],
)
def test_malformed_numbers_are_refused(value):
    assert not is_valid_id_number(value, today=TODAY)


def test_fifteen_digits_become_eighteen():
    eighteen = from_legacy("330106850615123")
    assert eighteen == number("330106", "19850615")
    assert normalise_id_number("330106850615123", today=TODAY) == eighteen
    with pytest.raises(ValueError, match="not a calendar date"):
        normalise_id_number("330106850231123", today=TODAY)


def test_fifteen_and_eighteen_digits_hash_alike():
    old, new = "310115580312123", number("310115", "19580312")
    assert id_hash("s", old) == id_hash("s", new) == id_hash("s", new.lower())
    assert id_hash("s", old) != id_hash("s", number("310115", "19580312", "124"))
