"""The sandbox's trade bill: ``alipay.data.dataservice.bill.downloadurl.query`` and the ZIP behind the URL it hands out.

Made like Alipay's: a ZIP named ``<PID><yyyyMMdd>.csv.zip`` holding
``<PID><yyyyMMdd>_业务明细.csv`` and ``…_业务明细(汇总).csv``, GBK text and GBK
entry names (no UTF-8 flag), ``#`` comment lines around the table, a tab after
every value, amounts in yuan. Built from the sandbox's own trades paid that
Beijing day and the refunds made that day, so a test changes the bill by
changing the sandbox's trades.
"""

from __future__ import annotations

import io
import re
import secrets
import time
import zipfile
from datetime import datetime, timedelta

from plugins.alipay.money import fen_to_yuan
from plugins.alipay.sandbox.store import BEIJING, TradeStore

URL_LIFETIME = 30.0  # seconds: Alipay's download links expire quickly
DETAIL_COLUMNS = (
    "支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,订单金额（元）,"
    "商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,"
    "卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注"
).split(",")
RULE = "-" * 41


def signed_yuan(fen: int) -> str:
    return ("-" if fen < 0 else "") + fen_to_yuan(abs(fen))


class GbkZipInfo(zipfile.ZipInfo):
    """An entry whose name is written in GBK without the UTF-8 flag, as Alipay's bill ZIPs are."""

    def _encodeFilenameFlags(self):  # zipfile's own hook: UTF-8 (flag 0x800) for any non-ASCII name otherwise
        return self.filename.encode("gbk"), self.flag_bits


def _row(trade: dict, kind: str, done: str, received_fen: int, request_no: str = "") -> str:
    values = {
        "支付宝交易号": trade["trade_no"],
        "商户订单号": trade["out_trade_no"],
        "业务类型": kind,
        "商品名称": trade["subject"].replace(",", " "),
        "创建时间": trade["created_at"],
        "完成时间": done,
        "对方账户": "buy***@sandbox.com",
        "订单金额（元）": fen_to_yuan(trade["total_fen"]),
        "商家实收（元）": signed_yuan(received_fen),
        "退款批次号/请求号": request_no,
    }
    money = {c for c in DETAIL_COLUMNS if c.endswith("（元）")}
    return ",".join(values.get(c, "0.00" if c in money else "") + "\t" for c in DETAIL_COLUMNS)


def detail_csv(seller_id: str, day: str, paid: list[dict], refunds: list[dict]) -> str:
    start = datetime.strptime(day, "%Y-%m-%d")
    end = start + timedelta(days=1)
    lines = [
        "#支付宝业务明细查询",
        f"#账号：[{seller_id}0156]",
        f"#起始日期：[{start:%Y年%m月%d日} 00:00:00]   终止日期：[{end:%Y年%m月%d日} 00:00:00]",
        f"#{RULE}业务明细列表{RULE}",
        ",".join(DETAIL_COLUMNS),
    ]
    lines += [_row(t, "交易", t["paid_at"], t["total_fen"]) for t in paid]
    lines += [_row(r, "退款", r["refunded_at"], -r["amount_fen"], r["out_request_no"]) for r in refunds]
    lines += [
        f"#{RULE}业务明细列表结束{RULE}",
        f"#交易合计：{len(paid)}笔，退款合计：{len(refunds)}笔",
        f"#导出时间：[{datetime.now(BEIJING):%Y年%m月%d日 %H:%M:%S}]",
    ]
    return "\r\n".join(lines) + "\r\n"


def summary_csv(seller_id: str, paid: list[dict], refunds: list[dict]) -> str:
    total = sum(t["total_fen"] for t in paid)
    back = sum(r["amount_fen"] for r in refunds)
    return (
        f"#支付宝业务汇总查询\r\n#账号：[{seller_id}0156]\r\n"
        "门店编号,门店名称,交易订单总笔数,退款订单总笔数,订单金额（元）,商家实收（元）\r\n"
        f"合计,,{len(paid)},{len(refunds)},{fen_to_yuan(total)},{signed_yuan(total - back)}\r\n"
    )


def bill_zip(seller_id: str, day: str, paid: list[dict], refunds: list[dict]) -> bytes:
    stem = f"{seller_id}{day.replace('-', '')}"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (
            (f"{stem}_业务明细.csv", detail_csv(seller_id, day, paid, refunds)),
            (f"{stem}_业务明细(汇总).csv", summary_csv(seller_id, paid, refunds)),
        ):
            info = GbkZipInfo(name, date_time=time.localtime()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("gbk"))
    return buffer.getvalue()


class Bills:
    """The ZIPs handed out by downloadurl.query, fetched by their token until the link expires."""

    def __init__(self):
        self.files: dict[str, tuple[float, bytes]] = {}

    def query(self, store: TradeStore, app_id: str, seller_id: str, biz: dict, base: str) -> dict:
        """The method's answer body: ``bill_download_url``, or Alipay's refusal."""
        day = str(biz.get("bill_date", ""))
        if biz.get("bill_type") != "trade":
            return _refused("isv.invalid-arguments", "bill_type 仅支持 trade")
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
            return _refused("isv.invalid-arguments", "bill_date 格式为 yyyy-MM-dd")
        paid, refunds = store.day_activity(app_id, day)
        if not paid and not refunds:
            return _refused("isp.bill_not_exist", "账单不存在", code="40004", msg="Business Failed")
        now = time.time()
        self.files = {t: f for t, f in self.files.items() if f[0] > now}
        token = secrets.token_hex(16)
        self.files[token] = (now + URL_LIFETIME, bill_zip(seller_id, day, paid, refunds))
        stem = f"{seller_id}{day.replace('-', '')}"
        url = (
            f"{base}/downloadBillFile.resource?bizType=trade&userId={seller_id}&fileType=csv.zip"
            f"&bizDates={day.replace('-', '')}&downloadFileName={stem}.csv.zip&fileId=%2Ftrade%2F{stem}"
            f"&timestamp={int(now)}&token={token}"
        )
        return {"code": "10000", "msg": "Success", "bill_download_url": url}

    def download(self, token: str) -> bytes | None:
        found = self.files.get(token)
        return found[1] if found and found[0] > time.time() else None


def _refused(sub_code: str, sub_msg: str, code: str = "40002", msg: str = "Invalid Arguments") -> dict:
    return {"code": code, "msg": msg, "sub_code": sub_code, "sub_msg": sub_msg}
