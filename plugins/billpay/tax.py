"""Invoice lines and VAT in integer fen, adding up to the total exactly (pure functions, no database).

The rules (docs/billpay.md#tax):

1. A paid bill's amount is shared among its items (their positive amounts are
   the weights) by the largest-remainder method: every item gets the floor of
   its exact share, and the fen left over go one each to the items with the
   largest fractional parts, ties to the earlier item. A bill without items is
   one line at the default rate.
2. Items with the same code, name and rate across the paid bills make one line.
3. Refunds that succeeded before the invoice was asked shrink the lines to the
   net total by the same method; a red-letter note shares its refund among the
   lines of the original by what each has left, so no line is ever reversed
   below zero.
4. Per line, the amount including tax (价税合计) is exact; the amount excluding
   tax is ``amount × 100 / (100 + rate)`` rounded half up to the fen (on the
   magnitude, so a negative line mirrors a positive one), and the tax is the
   difference. So amount = net + tax on every line, and the lines add up to
   the invoice's total.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def allocate(total: int, weights: list[int]) -> list[int]:
    """``total`` fen shared in proportion to ``weights`` (all ≥ 0, not all 0): integers that add up to ``total`` exactly."""
    whole = sum(weights)
    if whole <= 0:
        raise ValueError("nothing to share the amount among")
    sign, total = (-1, -total) if total < 0 else (1, total)
    shares = [total * w // whole for w in weights]
    left = total - sum(shares)
    order = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % whole), i))
    for i in order[:left]:
        shares[i] += 1
    return [sign * s for s in shares]


def split_tax(amount_fen: int, rate: Decimal) -> tuple[int, int]:
    """(amount excluding tax, tax) of a tax-inclusive amount; they add up to ``amount_fen``."""
    magnitude = abs(amount_fen)
    net = int((Decimal(magnitude) * 100 / (100 + rate)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    net = net if amount_fen >= 0 else -net
    return net, amount_fen - net


def _line(code: str, name: str, rate: Decimal, amount: int) -> dict:
    net, tax = split_tax(amount, rate)
    return {
        "code": code,
        "name": name,
        "rate": str(rate.normalize()) if rate == rate.to_integral() else str(rate),
        "amount_fen": amount,
        "net_fen": net,
        "tax_fen": tax,
    }


def bill_lines(paid: list[dict], items_of: dict[str, list[dict]], rate_of, fallback_name: str) -> list[dict]:
    """Lines (without tax yet) of the bills a payment paid: ``paid`` = [{"bill_id", "amount_fen"}], ``items_of`` bill id → items."""
    grouped: dict[tuple, int] = {}
    for bill in paid:
        items = [i for i in items_of.get(bill["bill_id"], []) if int(i["amount_fen"]) > 0]
        if not items:
            key = ("", fallback_name, rate_of(""))
            grouped[key] = grouped.get(key, 0) + int(bill["amount_fen"])
            continue
        for item, share in zip(items, allocate(int(bill["amount_fen"]), [int(i["amount_fen"]) for i in items])):
            key = (item["code"] or "", item["name"] or item["code"] or fallback_name, rate_of(item["code"] or ""))
            grouped[key] = grouped.get(key, 0) + share
    return [{"code": c, "name": n, "rate": r, "amount_fen": a} for (c, n, r), a in grouped.items()]


def invoice_lines(lines: list[dict], total: int) -> list[dict]:
    """The lines scaled to ``total`` (the payment less earlier refunds), with tax; zero lines dropped."""
    amounts = [line["amount_fen"] for line in lines]
    if sum(amounts) != total:
        amounts = allocate(total, amounts)
    return [_line(line["code"], line["name"], Decimal(str(line["rate"])), a) for line, a in zip(lines, amounts) if a]


def credit_lines(original: list[dict], reversed_before: list[list[dict]], refund_fen: int) -> list[dict]:
    """A red-letter note's lines: ``refund_fen`` shared among the original's lines by what earlier notes left of each, negative.

    Never reverses more than is left (an invoice from before amounts were netted may be smaller than the refunds): [] when nothing is.
    """
    left = [int(line["amount_fen"]) for line in original]
    for note in reversed_before:
        for i, line in enumerate(note):
            if i < len(left):
                left[i] += int(line["amount_fen"])  # a note's amounts are negative
    refund_fen = min(refund_fen, sum(left))
    if refund_fen <= 0:
        return []
    shares = allocate(refund_fen, left)
    # position i matches the original's line i (zero lines kept, so later notes line up too)
    return [
        _line(line["code"], line["name"], Decimal(str(line["rate"])), -share) for line, share in zip(original, shares)
    ]


def totals(lines: list[dict]) -> tuple[int, int, int]:
    """(amount, net, tax) of lines."""
    return (sum(x["amount_fen"] for x in lines), sum(x["net_fen"] for x in lines), sum(x["tax_fen"] for x in lines))
