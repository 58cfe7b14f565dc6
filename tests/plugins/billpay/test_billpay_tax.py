"""VAT per invoice line in integer fen: shares and splits always add up exactly, ties go to the earlier line (no hall needed)."""

from __future__ import annotations

import random
from decimal import Decimal

from plugins.billpay import tax


def test_largest_remainder_adds_up_and_breaks_ties_by_position():
    assert tax.allocate(100, [1, 1, 1]) == [34, 33, 33]
    assert tax.allocate(-100, [1, 1, 1]) == [-34, -33, -33]
    assert tax.allocate(5, [0, 3, 1]) == [0, 4, 1]
    assert tax.allocate(7, [2, 2]) == [4, 3]


def test_the_split_of_9_and_6_percent_is_rounded_half_up_and_adds_up():
    assert tax.split_tax(10900, Decimal(9)) == (10000, 900)
    assert tax.split_tax(10600, Decimal(6)) == (10000, 600)
    assert tax.split_tax(1, Decimal(9)) == (1, 0)  # 0.917 rounds to 1
    assert tax.split_tax(-10900, Decimal(9)) == (-10000, -900)  # a red-letter line mirrors the blue one
    assert tax.split_tax(9920, Decimal(9)) == (9101, 819)  # 9101.83 → 9101 + 1 rounding: 9920 / 1.09 = 9100.9 → 9101


def test_lines_of_a_partly_paid_bill_and_a_refund_before_invoicing_add_up_to_the_total():
    items = {
        "b1": [
            {"code": "YZF", "name": "月租费", "amount_fen": 5000},
            {"code": "SWF", "name": "上网流量费", "amount_fen": 3130},
        ],
        "b2": [
            {"code": "YZF", "name": "月租费", "amount_fen": 5000},
            {"code": "DXF", "name": "短信费", "amount_fen": 4920},
        ],
    }
    rates = {"yzf": Decimal(9), "swf": Decimal(6), "dxf": Decimal(6)}
    paid = [{"bill_id": "b1", "amount_fen": 4065}, {"bill_id": "b2", "amount_fen": 9920}]
    lines = tax.bill_lines(paid, items, lambda code: rates.get(code.lower(), Decimal(9)), "电信服务")
    assert [(x["code"], x["amount_fen"]) for x in lines] == [("YZF", 2500 + 5000), ("SWF", 1565), ("DXF", 4920)]
    for total in (13985, 13985 - 1005, 1):
        out = tax.invoice_lines(lines, total)
        amount, net, vat = tax.totals(out)
        assert amount == total and net + vat == total
        assert all(x["net_fen"] + x["tax_fen"] == x["amount_fen"] for x in out)
    full = tax.invoice_lines(lines, 13985)
    assert [(x["rate"], x["tax_fen"]) for x in full] == [
        ("9", 619),
        ("6", 89),
        ("6", 278),
    ]  # 7500/1.09, 1565/1.06, 4920/1.06


def test_red_letter_notes_never_reverse_more_than_a_line_has_left():
    rng = random.Random(20261206)
    for _ in range(300):
        lines = tax.invoice_lines(
            [
                {
                    "code": str(i),
                    "name": str(i),
                    "rate": rng.choice((Decimal(9), Decimal(6))),
                    "amount_fen": rng.randint(1, 50_000),
                }
                for i in range(rng.randint(1, 5))
            ],
            total := rng.randint(1, 100_000),
        )
        notes, left = [], total
        while left:
            refund = rng.randint(1, left)
            note = tax.credit_lines(lines, notes, refund)
            assert tax.totals(note)[0] == -refund and all(x["net_fen"] + x["tax_fen"] == x["amount_fen"] for x in note)
            notes.append(note)
            left -= refund
        for i, line in enumerate(lines):
            assert (
                line["amount_fen"] + sum(n[i]["amount_fen"] for n in notes) == 0
            )  # reversed in full, line by line, never below
        assert tax.credit_lines(lines, notes, 100) == []  # nothing left: nothing more
