"""Choosing the amount: presets, a custom amount in yuan within the tenant's bounds, field errors in the user's language;
the settings' own checks."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError
from topup_support import SETTINGS, start

from core.api.testing import field_errors
from core.api.web import FieldErrors
from plugins.topup.amounts import chosen_amount
from plugins.topup.settings import TopupSettings

SET = TopupSettings(**SETTINGS)


@pytest.mark.parametrize(
    ("choice", "custom", "fen"),
    [
        ("5000", "", 5000),
        ("custom", "88", 8800),
        ("custom", "12.5", 1250),
        ("", "20.00", 2000),
        ("custom", "¥500", 50000),
    ],
)
def test_amounts_that_are_taken(choice, custom, fen):
    assert chosen_amount(SET, choice, custom) == fen


@pytest.mark.parametrize(
    ("choice", "custom", "field", "message"),
    [
        ("", "", "amount", "Choose an amount."),
        ("4000", "", "amount", "Choose one of the amounts shown, or type another amount."),
        ("²", "", "amount", "Choose one of the amounts shown, or type another amount."),
        ("custom", "", "custom_amount", "Type the amount in yuan."),
        ("custom", "12.345", "custom_amount", "Enter an amount in yuan, e.g. 50 or 50.00."),
        ("custom", "-5", "custom_amount", "Enter an amount in yuan, e.g. 50 or 50.00."),
        ("custom", "1e3", "custom_amount", "Enter an amount in yuan, e.g. 50 or 50.00."),
        ("custom", "9.99", "custom_amount", "The least you can top up is ¥%(amount)s."),
        ("custom", "500.01", "custom_amount", "The most you can top up at once is ¥%(amount)s."),
    ],
)
def test_amounts_that_are_refused(choice, custom, field, message):
    with pytest.raises(FieldErrors) as refused:
        chosen_amount(SET, choice, custom)
    assert list(refused.value.errors) == [field] and refused.value.errors[field][0] == message


def test_without_custom_amounts_only_presets_count():
    fixed = TopupSettings(**{**SETTINGS, "custom_amount": False})
    with pytest.raises(FieldErrors) as refused:
        chosen_amount(fixed, "custom", "88")
    assert list(refused.value.errors) == ["amount"]


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"min_fen": 60000}, "min_fen (60000) is more than max_fen"),
        ({"presets_fen": [500]}, "outside min_fen..max_fen"),
        ({"presets_fen": [], "custom_amount": False}, "custom_amount must be true"),
        ({"presets_fen": [0]}, "positive"),
        ({"presets_fen": list(range(1000, 14000, 1000))}, "at most 12"),
        ({"number_daily_fen": 100}, "more than number_daily_fen"),
    ],
)
def test_settings_that_contradict_themselves_are_refused(changes, reason):
    with pytest.raises(ValidationError, match=re.escape(reason)):
        TopupSettings(**{**SETTINGS, **changes})


def test_the_amount_page_shows_the_presets_and_errors_next_to_the_fields(world):
    harness, _, ids = world
    zh, en = harness.client("alpha"), harness.client("beta")
    page = zh.post("/topup/find", {"number": ids["alpha"]["numbers"]["holder"]})
    assert all(f'value="{fen}"' in page.text for fen in (3000, 5000, 10000)) and "¥30<" in page.text
    refused = start(zh, ids["alpha"]["numbers"]["holder"], amount="custom", custom="600")
    assert refused.status_code == 400 and field_errors(refused.text) == ["单笔充值最多 ¥500.00。"]
    assert "张*明" in refused.text  # the holder is still shown
    refused = start(en, ids["beta"]["numbers"]["holder"], amount="custom", custom="abc")
    assert field_errors(refused.text) == ["Enter an amount in yuan, e.g. 50 or 50.00."]
    refused = start(en, ids["beta"]["numbers"]["holder"], amount="")
    assert field_errors(refused.text) == ["Choose an amount."]
