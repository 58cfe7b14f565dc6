"""Finding the holder of a number: masked name and status only, closed numbers refused, unknown numbers (here or in another
tenant) answered alike, numbers not synced yet found live; the masking rules."""

from __future__ import annotations

import pytest
from topup_support import find

from core.api import mask_name
from core.api.testing import field_errors
from plugins.topup.holder import normalise


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三明", "张*明"),
        ("李四", "李*"),
        ("欧阳明华", "欧**华"),
        ("王", "*"),
        ("海滨市某某科技有限公司", "海******司"),
        ("John Smith", "J*** S***"),
        ("  li   xiaoming ", "l*** x***"),
        ("", ""),
    ],
)
def test_names_are_masked(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("typed", "number"),
    [("139 0000 0001", "13900000001"), ("0571-88001234", "057188001234"), ("ad0571000001", "AD0571000001")],
)
def test_numbers_are_normalised(typed, number):
    assert normalise(typed) == number


@pytest.mark.parametrize("typed", ["", "12", "１３９００００００００１", "1390000000１", "x" * 40, "139;drop", "١٢٣٤٥"])
def test_what_cannot_be_a_number(typed):
    assert normalise(typed) is None


def test_the_holder_is_shown_masked_with_the_status(world):
    harness, _, ids = world
    number = ids["alpha"]["numbers"]["holder"]
    page = find(harness.client("alpha"), number)
    assert page.status_code == 200
    assert 'class="holder-name">张*明<' in page.text and 'data-status="active"' in page.text and "正常" in page.text
    holder = ids["alpha"]["holder"]
    for secret in (holder.name, holder.id_number, holder.id_number[-4:] + "<", holder.address, holder.phone):
        assert secret not in page.text  # never the full name, the ID number, the address or the contact


def test_a_latin_name_shows_its_initials_and_a_suspended_number_can_be_topped_up(world):
    harness, _, ids = world
    page = find(harness.client("beta"), ids["beta"]["numbers"]["suspended"])
    assert page.status_code == 200
    assert "L*** X***" in page.text and 'data-status="suspended"' in page.text and "Suspended" in page.text
    assert "Li Xiaoming" not in page.text


def test_a_closed_number_is_refused_with_a_clear_message(world):
    harness, _, ids = world
    number = ids["beta"]["numbers"]["closed"]
    page = find(harness.client("beta"), number)
    assert page.status_code == 400
    assert field_errors(page.text) == [f"The number {number} is closed, so it cannot be topped up."]
    assert "L***" not in page.text


def test_unknown_numbers_answer_alike_whether_or_not_another_tenant_has_them(world):
    harness, _, ids = world
    client = harness.client("alpha")
    answers = []
    for number in (ids["beta"]["numbers"]["holder"], "13999999999"):  # beta's number; nobody's number
        page = find(client, number)
        answers.append((page.status_code, [e.replace(number, "N") for e in field_errors(page.text)]))
        assert "Li" not in page.text and "L***" not in page.text
    assert answers[0] == answers[1] == (400, ["未找到号码 N，请核对后重试。"])


def test_a_number_not_synced_yet_is_found_live_and_stored(world):
    harness, _, ids = world
    number = ids["alpha"]["numbers"]["unsynced"]
    page = find(harness.client("alpha"), number)
    assert page.status_code == 200 and "王*" in page.text
    assert f"by_number:{number}" in harness.connectors["alpha"].calls


def test_the_number_form_reports_bad_input_in_the_users_language(world):
    harness, _, _ = world
    zh, en = harness.client("alpha"), harness.client("beta")
    assert field_errors(find(zh, "").text) == ["此项为必填项。"]
    assert field_errors(find(zh, "12").text) == ["请输入服务号码：数字，宽带账号可含字母（例如 13912345678）。"]
    assert field_errors(find(en, "12").text) == [
        "Enter a service number: digits, and letters for a broadband account (e.g. 13912345678)."
    ]


def test_the_pages_are_public_and_the_forms_need_the_csrf_token(world):
    harness, _, _ = world
    client = harness.client("alpha")
    assert client.get("/topup/").status_code == 200
    assert client.post("/topup/find", {"number": "13900000001"}, csrf=False).status_code == 403  # CSRF as every form
    assert client.get("/topup/history", follow_redirects=False).status_code in (302, 303)  # customers only
