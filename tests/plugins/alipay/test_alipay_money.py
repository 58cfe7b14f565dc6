"""Yuan text ⇄ integer fen is exact: Decimal, no float, no sub-fen amounts accepted."""

import pytest

from plugins.alipay.money import fen_to_yuan, yuan_to_fen


@pytest.mark.parametrize(
    "text, fen",
    [
        ("0.01", 1),
        ("0.1", 10),
        ("1", 100),
        ("123.45", 12345),
        ("0.29", 29),
        ("0.57", 57),
        ("1.10", 110),
        ("100000000.00", 10_000_000_000),
        ("19.99", 1999),
    ],
)
def test_yuan_text_becomes_exact_fen(text, fen):
    assert yuan_to_fen(text) == fen


def test_float_trouble_amounts_are_exact():
    assert float("0.29") * 100 != 29  # the float trap these helpers avoid
    assert yuan_to_fen("0.29") == 29 and yuan_to_fen("1.13") == 113


@pytest.mark.parametrize(
    "text",
    ["1.005", "0.001", "1e3", "-1.00", " 1.00", "1.00 ", "1.", ".5", "", "01.00", "１.00", "1,00", "NaN", "Infinity"],
)
def test_anything_but_plain_yuan_with_two_decimals_is_refused(text):
    with pytest.raises(ValueError):
        yuan_to_fen(text)


def test_numbers_are_not_yuan_text():
    with pytest.raises(ValueError):
        yuan_to_fen(1.5)  # a float never stands for money


def test_fen_to_yuan_round_trips():
    for fen in list(range(0, 1001)) + [10_000_000_000, 123456789]:
        assert yuan_to_fen(fen_to_yuan(fen)) == fen
    with pytest.raises(ValueError):
        fen_to_yuan(-1)
    with pytest.raises(ValueError):
        fen_to_yuan(1.0)
