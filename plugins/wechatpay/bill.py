"""WeChat Pay's trade bill (交易账单, CSV) as the core's BillRow s: payments and refunds, amounts in integer fen.

The file has a header line, one line per trade or refund with every value
behind a backtick (so a spreadsheet keeps the long numbers), then a summary.
Columns are read by their Chinese names, not by position.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zoneinfo

from core.api.payments import BillRow

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
YUAN = re.compile(r"^(\d+)(?:\.(\d{1,2}))?$")
SUMMARY_START = "总交易单数"


def fen_of(yuan: str, what: str) -> int:
    """ "12.30" → 1230, with integers only (a bill in yuan never goes through a float)."""
    found = YUAN.match(yuan.strip())
    if found is None:
        raise ValueError(f"{what} {yuan[:20]!r} is not an amount in yuan")
    return int(found.group(1)) * 100 + int((found.group(2) or "0").ljust(2, "0"))


def _booked(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)
    except ValueError:
        return None


def parse_trade_bill(text: str) -> list[BillRow]:
    """Every line of the bill before its summary: a payment (交易状态 SUCCESS) or a refund (REFUND, 退款金额)."""
    lines = [line for line in text.lstrip("\ufeff").splitlines() if line.strip()]
    if not lines:
        return []
    rows = []
    header = next(csv.reader([lines[0]]))
    for values in csv.reader(io.StringIO("\n".join(lines[1:]))):
        if values and values[0].lstrip("`").startswith(SUMMARY_START):
            break
        row = dict(zip(header, (v.removeprefix("`") for v in values)))
        state = row.get("交易状态", "")
        common = {"intent_id": row.get("商户订单号", ""), "provider_ref": row.get("微信订单号", ""),
                  "at": _booked(row.get("交易时间", ""))}  # fmt: skip
        if state == "REFUND":
            amount = fen_of(row.get("退款金额", ""), "退款金额")
            rows.append(BillRow(kind="refund", amount_fen=amount, refund_id=row.get("商户退款单号", ""), **common))
        elif state == "SUCCESS":
            rows.append(
                BillRow(kind="payment", amount_fen=fen_of(row.get("应结订单金额", ""), "应结订单金额"), **common)
            )
    return rows
