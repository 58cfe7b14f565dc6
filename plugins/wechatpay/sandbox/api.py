"""The sandbox's API v3 calls: authenticate the merchant, then order, query, close, refund and the trade bill."""

from __future__ import annotations

import hashlib
import json
import secrets
import time

from plugins.wechatpay.crypto import message, parse_authorization, verify
from plugins.wechatpay.sandbox.config import Merchant, SandboxConfig
from plugins.wechatpay.sandbox.signin import prepay_id
from plugins.wechatpay.sandbox.signing import refund_event, transaction
from plugins.wechatpay.sandbox.store import TradeStore

BILL_HEADER = (
    "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,"
    "应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率"
)


class Refusal(Exception):
    """An error answer in WeChat Pay's shape: HTTP status and {"code", "message"}."""

    def __init__(self, status: int, code: str, text: str):
        super().__init__(f"{status} {code} {text}")
        self.status, self.body = status, {"code": code, "message": text}


def authenticate(config: SandboxConfig, method: str, target: str, body: str, authorization: str) -> Merchant:
    fields = parse_authorization(authorization)
    merchant = config.merchants.get(fields.get("mchid", ""))
    if merchant is None:
        raise Refusal(401, "SIGN_ERROR", "商户号不存在或未配置 (unknown mchid)")
    if fields.get("serial_no", "").upper() != merchant.serial_no:
        raise Refusal(401, "SIGN_ERROR", "证书序列号不匹配 (serial_no)")
    stamp = fields.get("timestamp", "")
    if not stamp.isdigit() or abs(time.time() - int(stamp)) > 300:
        raise Refusal(401, "SIGN_ERROR", "timestamp 超出有效期")
    signed = message(method, target, stamp, fields.get("nonce_str", ""), body)
    if not verify(merchant.public_key, signed, fields.get("signature", "")):
        raise Refusal(401, "SIGN_ERROR", "签名错误")
    return merchant


def _fen(value, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise Refusal(400, "PARAM_ERROR", f"{what} 须为正整数（分）")
    return value


def place_order(store: TradeStore, merchant: Merchant, trade_type: str, data: dict, base: str) -> dict:
    if data.get("mchid") != merchant.mch_id or data.get("appid") != merchant.app_id:
        raise Refusal(400, "APPID_MCHID_NOT_MATCH", "appid和mch_id不匹配")
    amount = data.get("amount") or {}
    total = _fen(amount.get("total"), "amount.total")
    if amount.get("currency", "CNY") != "CNY":
        raise Refusal(400, "PARAM_ERROR", "币种仅支持 CNY")
    for key in ("description", "out_trade_no", "notify_url"):
        if not data.get(key):
            raise Refusal(400, "PARAM_ERROR", f"缺少参数 {key}")
    if trade_type == "MWEB" and not (data.get("scene_info") or {}).get("payer_client_ip"):
        raise Refusal(400, "PARAM_ERROR", "H5 下单须提供 scene_info.payer_client_ip")
    if trade_type == "JSAPI" and not (data.get("payer") or {}).get("openid"):
        raise Refusal(400, "PARAM_ERROR", "JSAPI 下单须提供 payer.openid")
    trade = store.open_trade(
        mchid=merchant.mch_id,
        out_trade_no=data["out_trade_no"],
        appid=merchant.app_id,
        description=data["description"],
        total_fen=total,
        trade_type=trade_type,
        notify_url=data["notify_url"],
        time_expire=data.get("time_expire", ""),
    )
    if trade["total_fen"] != total or trade["description"] != data["description"]:
        raise Refusal(400, "INVALID_REQUEST", "参数与首次请求时不一致 (out_trade_no reused)")
    if trade["state"] in ("SUCCESS", "REFUND"):
        raise Refusal(400, "ORDERPAID", "该订单已支付")
    if trade["state"] == "CLOSED":
        raise Refusal(400, "ORDER_CLOSED", "订单已关闭")
    if trade_type == "JSAPI":
        return {"prepay_id": prepay_id(trade["token"])}
    url = f"{base}/sandbox/checkout/{trade['token']}"
    return {"code_url": url} if trade_type == "NATIVE" else {"h5_url": url + "?h5=1"}


def query(store: TradeStore, merchant: Merchant, out_trade_no: str) -> dict:
    trade = store.trade(merchant.mch_id, out_trade_no)
    if trade is None:
        raise Refusal(404, "ORDER_NOT_EXIST", "订单不存在")
    return transaction(trade)


def close(store: TradeStore, merchant: Merchant, out_trade_no: str) -> None:
    trade = store.trade(merchant.mch_id, out_trade_no)
    if trade is None:
        raise Refusal(404, "ORDER_NOT_EXIST", "订单不存在")
    if trade["state"] == "NOTPAY" and store.finish(merchant.mch_id, out_trade_no, "CLOSED") is not None:
        return
    trade = store.trade(merchant.mch_id, out_trade_no)
    if trade["state"] in ("SUCCESS", "REFUND"):
        raise Refusal(400, "ORDERPAID", "订单已支付，不能关单")


def refund(store: TradeStore, merchant: Merchant, data: dict, notify) -> dict:
    amount = data.get("amount") or {}
    wanted = _fen(amount.get("refund"), "amount.refund")
    out_trade_no, out_refund_no = data.get("out_trade_no", ""), data.get("out_refund_no", "")
    if not out_trade_no or not out_refund_no:
        raise Refusal(400, "PARAM_ERROR", "缺少 out_trade_no 或 out_refund_no")
    trade = store.trade(merchant.mch_id, out_trade_no)
    if trade is not None and amount.get("total") != trade["total_fen"]:
        raise Refusal(400, "INVALID_REQUEST", "订单金额与原订单不一致 (amount.total)")
    outcome, row = store.refund(merchant.mch_id, out_trade_no, out_refund_no, wanted)
    refusals = {
        "no_trade": (404, "RESOURCE_NOT_EXISTS", "订单不存在"),
        "not_paid": (400, "INVALID_REQUEST", "订单未支付"),
        "too_much": (400, "INVALID_REQUEST", "申请退款金额超过订单可退金额"),
        "other_amount": (400, "INVALID_REQUEST", "同一 out_refund_no 的参数与首次请求不一致"),
    }
    if outcome in refusals:
        raise Refusal(*refusals[outcome])
    trade = store.trade(merchant.mch_id, out_trade_no)
    if outcome == "ok":
        notify(merchant.mch_id, out_trade_no, data.get("notify_url") or trade["notify_url"], "REFUND.SUCCESS",
               refund_event(trade, row))  # fmt: skip
    return {
        "refund_id": row["refund_id"],
        "out_refund_no": row["out_refund_no"],
        "transaction_id": trade["transaction_id"],
        "out_trade_no": out_trade_no,
        "channel": "ORIGINAL",
        "user_received_account": "支付用户零钱",
        "create_time": row["created_at"],
        "success_time": row["created_at"],
        "status": row["status"],
        "amount": {"total": trade["total_fen"], "refund": row["amount_fen"], "currency": "CNY"},
    }


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def trade_bill(store: TradeStore, merchant: Merchant, day: str) -> str:
    """交易账单 (ALL) of one Beijing day: WeChat Pay's CSV, every value behind a backtick, amounts in yuan."""
    lines = [BILL_HEADER]
    total = 0
    trades = store.trades_of_day(merchant.mch_id, day)
    for t in trades:
        total += t["total_fen"]
        row = [t["success_time"].replace("T", " ")[:19], t["appid"], t["mchid"], "0", "", t["transaction_id"]]
        row += [t["out_trade_no"], "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", t["trade_type"], "SUCCESS", "OTHERS", "CNY"]
        row += [yuan(t["total_fen"]), "0.00", "0", "0", "0.00", "0.00", "", "", t["description"], "", "0.00", "0.60%"]
        lines.append(",".join("`" + v for v in row))
    lines.append("总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额")
    lines.append(",".join("`" + v for v in (str(len(trades)), yuan(total), "0.00", "0.00", "0.00")))
    return "\n".join(lines) + "\n"


class Bills:
    """Bills handed out by /v3/bill/tradebill, fetched once by their token (as WeChat Pay's download_url)."""

    def __init__(self):
        self.files: dict[str, bytes] = {}

    def offer(self, text: str, base: str) -> dict:
        token = secrets.token_urlsafe(16)
        self.files[token] = text.encode("utf-8")
        return {
            "hash_type": "SHA1",
            "hash_value": hashlib.sha1(self.files[token]).hexdigest(),
            "download_url": f"{base}/v3/billdownload/file?token={token}",
        }


def dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
