"""Sign-up with the ID numbers real cards carry: holders older than their area code, 15-digit cards, a lowercase x."""

import dataclasses

from core.id_numbers import check_char
from core.testing import field_errors, make_customer, sync
from identity_steps import start_signup


def _number(area: str, birth: str, seq: str) -> str:
    return area + birth + seq + check_char(area + birth + seq)


def _customer(n: int, id_number: str):
    return dataclasses.replace(make_customer(n), id_number=id_number)


def _signs_up(hall, customer, typed: str) -> bool:
    page = start_signup(hall.client("alpha"), dataclasses.replace(customer, id_number=typed))
    return page.status_code == 200 and not field_errors(page.text)


def test_holder_born_before_the_district_existed_is_synced_and_signs_up(hall):
    pudong_1958 = _customer(31, _number("310115", "19580312", "123"))  # Pudong New Area's code dates from 1993
    binhai_1962 = _customer(32, _number("120116", "19620704", "456"))  # Binhai New Area's from 2009
    hall.connectors["alpha"].customers += [pudong_1958, binhai_1962]
    result = sync(hall, "alpha")
    assert result.quarantined == 0 and result.created == 2, result.rejected
    assert _signs_up(hall, pudong_1958, pudong_1958.id_number)
    assert _signs_up(hall, binhai_1962, binhai_1962.id_number)


def test_fifteen_digits_in_the_legacy_system_match_eighteen_typed(hall):
    old_card = _customer(33, "330106850615123")
    hall.connectors["alpha"].customers.append(old_card)
    assert sync(hall, "alpha").quarantined == 0
    assert _signs_up(hall, old_card, _number("330106", "19850615", "123"))
    assert not _signs_up(hall, old_card, _number("330106", "19850615", "124"))


def test_eighteen_digits_in_the_legacy_system_match_fifteen_typed_also_live(hall):
    synced = _customer(34, _number("330106", "19700101", "222"))
    unsynced = _customer(35, _number("310115", "19560909", "333"))  # looked up live at sign-up
    hall.connectors["alpha"].customers.append(synced)
    sync(hall, "alpha")
    hall.connectors["alpha"].customers.append(unsynced)
    assert _signs_up(hall, synced, "330106700101222")
    assert _signs_up(hall, unsynced, "310115560909333")


def test_lowercase_x_is_the_same_number(hall):
    seq = next(f"{s:03d}" for s in range(1000) if check_char("33010619850615" + f"{s:03d}") == "X")
    customer = _customer(36, _number("330106", "19850615", seq))
    hall.connectors["alpha"].customers.append(customer)
    sync(hall, "alpha")
    assert _signs_up(hall, customer, customer.id_number.lower())
