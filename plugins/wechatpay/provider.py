"""The WeChat Pay provider (API v3): Native (a code to scan), H5 and JSAPI (inside WeChat: jsapi.py) orders, verified notifications, query, close, refund.

The protocol is implemented here with `cryptography` and httpx (client.py, crypto.py):
the wechatpayv3 SDK blocks on `requests` and fetches platform certificates when it
is built, which a provider made per tenant inside the hall's event loop cannot do.
"""

from __future__ import annotations

import datetime as dt
import time
import zoneinfo
from urllib.parse import quote

from core.api import N_
from core.api.payments import BillRow, Checkout, CheckoutRequest, GatewayResult, ProviderUnavailable, RefundNotice
from plugins.wechatpay.bill import parse_trade_bill
from plugins.wechatpay.client import WechatPayClient
from plugins.wechatpay.errors import WechatPayError
from plugins.wechatpay.jsapi import jsapi_checkout, openid_for
from plugins.wechatpay.keys import WechatPayKeys
from plugins.wechatpay.notification import open_notification
from plugins.wechatpay.settings import WECHAT_SIGN_IN, WECHATPAY_GATEWAY, WechatPaySettings
from plugins.wechatpay.trades import REFUND_STATUS, trade_result

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
H5_PAGES = "https://wx.tenpay.com"  # where WeChat Pay's h5_url points (/cgi-bin/mmpayweb-bin/checkmweb?...)
ORDERS = {"pc": ("/v3/pay/transactions/native", "code_url"), "wap": ("/v3/pay/transactions/h5", "h5_url")}


class WechatPayProvider:
    id = "wechatpay"
    label = N_("WeChat Pay")
    app_agent = (
        "micromessenger"  # inside WeChat's own browser, only WeChat Pay is offered (an Alipay link goes nowhere there)
    )
    form_origins: tuple[str, ...] = ()

    def __init__(self, settings: WechatPaySettings, keys: WechatPayKeys, clock=time.time):
        self.settings, self.keys, self.clock = settings, keys, clock
        # H5: the hall answers the choice form (or the owner's pay form) with a 303 to h5_url, and a browser holds a
        # redirect after a form to the CSP's form-action: WeChat Pay's H5 page, or the sandbox serving it itself.
        own = () if settings.gateway == WECHATPAY_GATEWAY else (settings.gateway,)
        self.form_origins = (H5_PAGES, WECHAT_SIGN_IN, *own)  # the choice form's redirect to the sign-in (JSAPI)
        self.client = WechatPayClient(settings, keys, clock)
        # JSAPI (inside WeChat) needs the AppSecret to learn the payer's openid; without it such a payer gets H5
        self.channels = ("pc", "wap", "inapp") if keys.app_secret else ("pc", "wap")

    # -- paying -------------------------------------------------------------
    async def create_checkout(self, request: CheckoutRequest) -> Checkout:
        if request.channel not in self.channels:
            raise ValueError(f"unknown channel {request.channel!r} ({', '.join(self.channels)})")
        if request.currency != "CNY":
            raise ValueError(f"WeChat Pay takes CNY here, not {request.currency!r}")
        expires = request.expires_at or dt.datetime.now(dt.timezone.utc) + dt.timedelta(
            minutes=self.settings.pay_timeout_minutes
        )
        body = {
            "appid": self.settings.app_id,
            "mchid": self.settings.mch_id,
            "description": request.subject[:127] or request.intent_id,
            "out_trade_no": request.intent_id,
            "time_expire": expires.astimezone(BEIJING).isoformat(timespec="seconds"),
            "notify_url": request.notify_url,
            "amount": {"total": request.amount_fen, "currency": "CNY"},
        }
        if request.channel == "inapp":
            return await jsapi_checkout(self, request, body)
        if request.channel == "wap":
            body["scene_info"] = {"payer_client_ip": request.client_ip or "127.0.0.1", "h5_info": {"type": "Wap"}}
        path, field = ORDERS[request.channel]
        status, answer = await self.client.call("POST", path, body)
        if status != 200 or not answer.get(field):
            raise WechatPayError(path, status, answer)
        if request.channel == "pc":
            return Checkout(redirect_url="", qr_code=answer[field])
        # H5: WeChat Pay sends the browser back to redirect_url (URL-encoded) when the customer is done
        return Checkout(redirect_url=f"{answer[field]}&redirect_url={quote(request.return_url, safe='')}")

    async def identify_payer(self, query: dict[str, str]) -> str:
        """The openid for the code WeChat's sign-in brought back (JSAPI); ValueError for a used or forged one."""
        return await openid_for(self.settings, self.keys.app_secret, query)

    # -- notifications ------------------------------------------------------
    async def verify_request(self, body: bytes, headers: dict[str, str]) -> GatewayResult | RefundNotice:
        """Platform signature and timestamp, then decryption with the APIv3 key, then mchid/appid; InvalidNotification otherwise."""
        return open_notification(self.settings, self.keys, body, headers, self.clock())

    async def verify_notification(self, form: dict[str, str]) -> GatewayResult:
        from core.api.payments import InvalidNotification

        raise InvalidNotification("WeChat Pay posts JSON with the signature in headers (verify_request)")

    def notification_response(self, handled: bool) -> tuple[int, str, str]:
        """204 when handled; otherwise a 500 with FAIL, and WeChat Pay sends it again (15s, 15s, 30s, 3m, … over 24 h)."""
        if handled:
            return 204, "application/json", ""
        return 500, "application/json", '{"code":"FAIL","message":"not handled"}'

    # -- server calls -------------------------------------------------------
    async def query(self, intent_id: str) -> GatewayResult:
        path = f"/v3/pay/transactions/out-trade-no/{quote(intent_id, safe='')}?mchid={self.settings.mch_id}"
        status, answer = await self.client.call("GET", path)
        if status == 404 or answer.get("code") == "ORDER_NOT_EXIST":
            return GatewayResult(intent_id=intent_id, provider_ref="", status="unknown", amount_fen=None, raw=answer)
        if status != 200:
            raise WechatPayError("query", status, answer)
        if answer.get("out_trade_no") != intent_id or answer.get("mchid", self.settings.mch_id) != self.settings.mch_id:
            raise ProviderUnavailable(f"query answered for {answer.get('out_trade_no')!r}, not {intent_id!r}")
        try:
            return trade_result(answer)
        except ValueError as exc:
            raise ProviderUnavailable(f"query: {exc}") from None

    async def refund(self, intent_id: str, refund_id: str, amount_fen: int, reason: str) -> str:
        """Idempotent by ``refund_id`` (out_refund_no). PROCESSING is not done yet: ProviderUnavailable, asked again later."""
        total = await self._paid_total(intent_id)
        body = {
            "out_trade_no": intent_id,
            "out_refund_no": refund_id,
            "reason": reason[:80],
            "amount": {"refund": amount_fen, "total": total, "currency": "CNY"},
        }
        status, answer = await self.client.call("POST", "/v3/refund/domestic/refunds", body)
        if status != 200:
            raise WechatPayError("refund", status, answer)
        outcome = REFUND_STATUS.get(answer.get("status", ""))
        if outcome == "pending":
            raise ProviderUnavailable(f"refund {refund_id} is PROCESSING at WeChat Pay: asked again later")
        if outcome != "succeeded":
            raise WechatPayError("refund", status, answer | {"code": answer.get("status", "")})
        return str(answer.get("refund_id", ""))

    async def close(self, intent_id: str) -> None:
        path = f"/v3/pay/transactions/out-trade-no/{quote(intent_id, safe='')}/close"
        status, answer = await self.client.call("POST", path, {"mchid": self.settings.mch_id})
        if status in (200, 204) or answer.get("code") == "ORDER_NOT_EXIST":
            return  # closed, or the customer never reached WeChat Pay
        raise WechatPayError("close", status, answer)

    async def trade_bill(self, bill_date: dt.date) -> str:
        """The merchant's trade bill (交易账单) of one Beijing day, as WeChat Pay's CSV text."""
        status, answer = await self.client.call("GET", f"/v3/bill/tradebill?bill_date={bill_date.isoformat()}")
        if status != 200 or not answer.get("download_url"):
            raise WechatPayError("tradebill", status, answer)
        return await self.client.download(answer["download_url"], answer.get("hash_value", ""))

    async def daily_bill(self, day: dt.date) -> list[BillRow]:
        """The core's reconciliation: the trade bill of one Beijing day as BillRow s (none: NO_STATEMENT_EXIST)."""
        try:
            return parse_trade_bill(await self.trade_bill(day))
        except WechatPayError as exc:
            if exc.code == "NO_STATEMENT_EXIST":  # WeChat Pay's answer for a day without trades
                return []
            raise ProviderUnavailable(str(exc)) from None  # not ready yet (before 10:00 the next day), or refused

    async def _paid_total(self, intent_id: str) -> int:
        """The trade's total in fen, as WeChat Pay has it (a refund names it)."""
        paid = await self.query(intent_id)
        if paid.amount_fen is None:
            raise WechatPayError("refund", 404, {"code": "ORDER_NOT_EXIST", "message": "no paid trade"})
        return paid.amount_fen
