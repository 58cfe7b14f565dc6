"""Alipay's trade bill (对账单, ``bill_type=trade``) as the core's BillRow s: payments and refunds, amounts in integer fen.

``alipay.data.dataservice.bill.downloadurl.query`` hands out a URL; behind it is a
ZIP with two GBK CSV files, ``<PID><yyyyMMdd>_业务明细.csv`` (one line per
payment or refund) and ``…_业务明细(汇总).csv`` (totals, not read here). The
entry names are GBK too, without the ZIP's UTF-8 flag, so Python shows them
mis-decoded as cp437 until they are re-read. The detail file has comment lines
starting with ``#`` before and after its table, and every value is followed by
a tab (so a spreadsheet keeps the long numbers as text). Columns are read by
their Chinese names, not by position.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
import zoneinfo
from decimal import Decimal, InvalidOperation

from core.api.payments import BillRow

BILL_METHOD = "alipay.data.dataservice.bill.downloadurl.query"
BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
DETAIL_SUFFIX = "业务明细.csv"  # the summary is "…业务明细(汇总).csv"
KINDS = {"交易": "payment", "退款": "refund"}  # 业务类型; other types (分账, …) are not the hall's trades


class BillFormatError(ValueError):
    """The downloaded file is not an Alipay trade bill the hall can read."""


def fen_of(yuan: str, what: str) -> int:
    """ "12.30" → 1230, "-2.05" → -205, exactly (Decimal): a bill in yuan never goes through a float."""
    try:
        fen = Decimal(yuan.strip()) * 100
    except InvalidOperation:
        raise BillFormatError(f"{what} {yuan[:20]!r} is not an amount in yuan") from None
    if not fen.is_finite() or fen != fen.to_integral_value():
        raise BillFormatError(f"{what} {yuan[:20]!r} is not a whole number of fen")
    return int(fen)


def utc_of(text: str) -> dt.datetime | None:
    """Alipay's "yyyy-MM-dd HH:mm:ss" is Beijing time; the hall keeps UTC."""
    try:
        booked = dt.datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)
    except ValueError:
        return None
    return booked.astimezone(dt.timezone.utc)


def entry_name(info: zipfile.ZipInfo) -> str:
    """The entry's real name: Alipay writes GBK names without the UTF-8 flag (bit 11), read by Python as cp437."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gbk")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def decode(data: bytes) -> str:
    """GBK, as Alipay writes it (GB18030 is its superset); a UTF-8 file (with or without BOM) is read too."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        return data.decode("utf-8")


def parse_bill_zip(data: bytes) -> list[BillRow]:
    """The rows of the ZIP's detail file (业务明细, not its 汇总)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise BillFormatError("the bill download is not a ZIP file") from None
    with archive:
        details = [i for i in archive.infolist() if entry_name(i).endswith(DETAIL_SUFFIX)]
        if len(details) != 1:
            names = [entry_name(i) for i in archive.infolist()]
            raise BillFormatError(f"expected one …{DETAIL_SUFFIX} in the bill ZIP, found {names}")
        return parse_detail(decode(archive.read(details[0])))


def parse_detail(text: str) -> list[BillRow]:
    """The table of 业务明细.csv: the first line that is not a ``#`` comment is the header, the rows follow it."""
    table = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if not table:
        return []
    reader = csv.reader(table)
    header = [name.strip() for name in next(reader)]
    for needed in ("支付宝交易号", "商户订单号", "业务类型", "订单金额（元）", "商家实收（元）"):
        if needed not in header:
            raise BillFormatError(f"the bill has no column {needed} (columns: {header})")
    rows = []
    for values in reader:
        row = dict(zip(header, (v.strip() for v in values)))
        kind = KINDS.get(row.get("业务类型", ""))
        if kind is None:
            continue
        common = {
            "intent_id": row["商户订单号"],
            "provider_ref": row["支付宝交易号"],
            "at": utc_of(row.get("完成时间", "")),
        }
        if kind == "payment":
            rows.append(BillRow(kind="payment", amount_fen=fen_of(row["订单金额（元）"], "订单金额"), **common))
        else:  # 订单金额 is the trade's total; what went back is the (negative) 商家实收
            refunded = abs(fen_of(row["商家实收（元）"], "商家实收"))
            rows.append(
                BillRow(kind="refund", amount_fen=refunded, refund_id=row.get("退款批次号/请求号", ""), **common)
            )
    return rows
