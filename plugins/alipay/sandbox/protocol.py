"""The gateway's side of Alipay's protocol: signed requests in, signed answers out, one function per method."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from plugins.alipay.money import fen_to_yuan, yuan_to_fen
from plugins.alipay.sandbox.config import SandboxConfig
from plugins.alipay.sandbox.store import BEIJING, TradeStore, now_text
from plugins.alipay.signing import content, sign_text, verify_text

PAGE_METHODS = {"alipay.trade.page.pay": "FAST_INSTANT_TRADE_PAY", "alipay.trade.wap.pay": "QUICK_WAP_PAY"}
API_METHODS = ("alipay.trade.query", "alipay.trade.refund", "alipay.trade.close")
TIMESTAMP_TOLERANCE = timedelta(minutes=15)  # how far a request's Beijing-time stamp may be from the gateway's clock
NOT_EXIST = {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.TRADE_NOT_EXIST", "sub_msg": "交易不存在"}


class GatewayRefusal(Exception):
    """An unsigned error answer (Alipay does not sign for a caller it could not authenticate)."""

    def __init__(self, sub_code: str, sub_msg: str, code: str = "40002", msg: str = "Invalid Arguments"):
        self.body = {"code": code, "msg": msg, "sub_code": sub_code, "sub_msg": sub_msg}
        super().__init__(f"{sub_code}: {sub_msg}")


def authenticate(config: SandboxConfig, params: dict[str, str]) -> tuple[str, dict]:
    """Check app_id and the merchant's signature (all parameters but sign); return (method, biz_content)."""
    app = config.apps.get(params.get("app_id", ""))
    if app is None:
        raise GatewayRefusal("isv.invalid-app-id", "无效的AppID参数")
    if params.get("sign_type") != "RSA2":
        raise GatewayRefusal("isv.invalid-signature-type", "签名类型错误: only RSA2")
    if not verify_text(app.public_key, content(params), params.get("sign", "")):
        raise GatewayRefusal("isv.invalid-signature", "验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配")
    check_timestamp(params.get("timestamp", ""))
    try:
        biz = json.loads(params.get("biz_content") or "{}")
    except ValueError:
        raise GatewayRefusal("isv.invalid-parameter", "biz_content is not JSON") from None
    return params.get("method", ""), biz if isinstance(biz, dict) else {}


def check_timestamp(text: str, now: datetime | None = None) -> None:
    """Alipay reads ``timestamp`` as Beijing time and refuses one too far from its clock (a server stamping UTC is 8 h off)."""
    try:
        stamped = datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)
    except ValueError:
        raise GatewayRefusal("isv.invalid-timestamp", "非法的时间戳参数 (yyyy-MM-dd HH:mm:ss)") from None
    if abs((now or datetime.now(BEIJING)) - stamped) > TIMESTAMP_TOLERANCE:
        raise GatewayRefusal("isv.invalid-timestamp", f"非法的时间戳参数: {text} is not Beijing time now")


def signed_answer(config: SandboxConfig, method: str, body: dict) -> str:
    """``{"<method>_response": {...}, "sign": "…"}``; the sign covers exactly the response object's text."""
    inner = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    name, sign = method.replace(".", "_"), sign_text(config.private_key, inner)
    return f'{{"{name}_response":{inner},"sign":"{sign}"}}'


def unsigned_answer(method: str, body: dict) -> str:
    return json.dumps({(method or "error").replace(".", "_") + "_response": body}, ensure_ascii=False)


def open_page_trade(config: SandboxConfig, store: TradeStore, params: dict, method: str, biz: dict) -> dict:
    """Create (or find again) the trade the pay page shows; raises GatewayRefusal for a changed or malformed order."""
    if biz.get("product_code") != PAGE_METHODS[method]:
        raise GatewayRefusal("isv.invalid-product-code", f"product_code must be {PAGE_METHODS[method]}")
    out_trade_no, subject = str(biz.get("out_trade_no", "")), str(biz.get("subject", ""))
    if not out_trade_no or not subject or len(out_trade_no) > 64:
        raise GatewayRefusal("isv.missing-parameter", "out_trade_no and subject are required")
    try:
        total_fen = yuan_to_fen(str(biz.get("total_amount", "")))
    except ValueError:
        raise GatewayRefusal("isv.invalid-parameter", "total_amount 格式错误") from None
    if not 1 <= total_fen <= 100_000_000_00:
        raise GatewayRefusal("isv.invalid-parameter", "total_amount 超出范围")
    app = config.apps[params["app_id"]]
    trade = store.open_trade(
        app_id=app.app_id,
        out_trade_no=out_trade_no,
        subject=subject,
        total_fen=total_fen,
        seller_id=app.seller_id,
        method=method,
        notify_url=params.get("notify_url", ""),
        return_url=params.get("return_url", ""),
        time_expire=str(biz.get("time_expire", "")),
    )
    if trade["total_fen"] != total_fen or trade["subject"] != subject:
        raise GatewayRefusal("ACQ.TRADE_HAS_CHANGED", "交易信息被篡改", code="40004", msg="Business Failed")
    if trade["status"] == "WAIT_BUYER_PAY" and trade["time_expire"] and trade["time_expire"] < now_text():
        trade = store.finish(app.app_id, out_trade_no, "TRADE_CLOSED") or store.trade(app.app_id, out_trade_no)
    return trade


def return_params(config: SandboxConfig, trade: dict) -> dict[str, str]:
    """The signed query string Alipay appends to return_url after payment (signed without sign and sign_type)."""
    params = {
        "charset": "utf-8",
        "out_trade_no": trade["out_trade_no"],
        "method": trade["method"] + ".return",
        "total_amount": fen_to_yuan(trade["total_fen"]),
        "trade_no": trade["trade_no"],
        "auth_app_id": trade["app_id"],
        "version": "1.0",
        "app_id": trade["app_id"],
        "seller_id": trade["seller_id"],
        "timestamp": now_text(),
    }
    return params | {
        "sign_type": "RSA2",
        "sign": sign_text(config.private_key, content(params, exclude=("sign", "sign_type"))),
    }


def api_call(store: TradeStore, notify, app_id: str, method: str, biz: dict) -> dict:
    """alipay.trade.query / refund / close against the store; the answer's body (signed by the caller)."""
    out_trade_no = str(biz.get("out_trade_no", ""))
    trade = store.trade(app_id, out_trade_no)
    if trade is None and biz.get("trade_no"):
        trade = store.by_trade_no(app_id, str(biz["trade_no"]))
    if trade is None:
        return NOT_EXIST | {"out_trade_no": out_trade_no}
    ids = {"trade_no": trade["trade_no"], "out_trade_no": trade["out_trade_no"]}
    if method == "alipay.trade.query":
        answer = {
            "code": "10000",
            "msg": "Success",
            **ids,
            "trade_status": trade["status"],
            "total_amount": fen_to_yuan(trade["total_fen"]),
        }
        if trade["paid_at"]:
            answer |= {
                "buyer_pay_amount": answer["total_amount"],
                "send_pay_date": trade["paid_at"],
                "buyer_logon_id": "buy***@sandbox.com",
            }
        return answer
    if method == "alipay.trade.close":
        if trade["status"] != "WAIT_BUYER_PAY":
            return {
                "code": "40004",
                "msg": "Business Failed",
                "sub_code": "ACQ.TRADE_STATUS_ERROR",
                "sub_msg": "交易状态不合法",
                **ids,
            }
        closed = store.finish(app_id, trade["out_trade_no"], "TRADE_CLOSED")
        if closed is None:
            return {
                "code": "40004",
                "msg": "Business Failed",
                "sub_code": "ACQ.TRADE_STATUS_ERROR",
                "sub_msg": "交易状态不合法",
                **ids,
            }
        notify(closed)
        return {"code": "10000", "msg": "Success", **ids}
    return _refund(store, app_id, trade, biz, ids)


def _refund(store: TradeStore, app_id: str, trade: dict, biz: dict, ids: dict) -> dict:
    try:
        amount = yuan_to_fen(str(biz.get("refund_amount", "")))
    except ValueError:
        return {
            "code": "40004",
            "msg": "Business Failed",
            "sub_code": "ACQ.INVALID_PARAMETER",
            "sub_msg": "refund_amount 格式错误",
            **ids,
        }
    outcome, trade = store.refund(
        app_id, trade["out_trade_no"], str(biz.get("out_request_no") or trade["out_trade_no"]), amount
    )
    refusals = {
        "not_paid": ("ACQ.TRADE_STATUS_ERROR", "交易状态不合法"),
        "too_much": ("ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额超限"),
        "other_amount": ("ACQ.INVALID_PARAMETER", "同一退款请求号的退款金额不一致"),
    }
    if outcome in refusals:
        sub_code, sub_msg = refusals[outcome]
        return {"code": "40004", "msg": "Business Failed", "sub_code": sub_code, "sub_msg": sub_msg, **ids}
    return {
        "code": "10000",
        "msg": "Success",
        **ids,
        "buyer_logon_id": "buy***@sandbox.com",
        "fund_change": "Y" if outcome == "ok" else "N",
        "refund_fee": fen_to_yuan(trade["refunded_fen"]),
        "gmt_refund_pay": now_text(),
    }
