"""The Alipay provider: signed gateway URLs for page/WAP pay, verified notifications, query, refund, close, daily bill.

It uses python-alipay-sdk, around three traps measured in its source (alipay/__init__.py, 3.4):
- ``verify(data, sign)`` wants ``sign`` removed from ``data`` and mutates ``data`` (pops
  ``sign_type``, JSON-dumps dict values in place): we verify a copy, never the caller's form;
- its server calls (``verified_sync_response``) block on ``urllib.request.urlopen``: we run
  them in a thread (``asyncio.to_thread``) and turn network errors into ProviderUnavailable;
- the gateway is the private attribute ``_gateway`` (real one, or the old sandbox when
  ``debug=True``): another gateway (our local sandbox) is set by assigning it.
Its RSA check itself is swapped for OpenSSL's (OpenSSLVerifyingAliPay): same answers, ~25x faster.
And the SDK stamps every request's ``timestamp`` with ``datetime.now()``, the server's local time:
on a UTC server that is 8 hours off Beijing time and Alipay refuses the request
(isv.invalid-timestamp). ``build_body`` re-stamps it in Beijing time, whatever the server's zone.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import http.client
import json
import zoneinfo

import httpx
from alipay import AliPay
from alipay.exceptions import AliPayException, AliPayValidationError
from alipay.utils import AliPayConfig

from core.api import N_
from core.api.payments import (
    BillRow,
    Checkout,
    CheckoutRequest,
    GatewayResult,
    InvalidNotification,
    ProviderUnavailable,
)
from plugins.alipay.agreements import AgreementMethods
from plugins.alipay.bill import BILL_METHOD, BillFormatError, parse_bill_zip
from plugins.alipay.keys import AlipayKeys
from plugins.alipay.money import fen_to_yuan, yuan_to_fen
from plugins.alipay.settings import AlipaySettings
from plugins.alipay.signing import load_public, verify_text

STATUS = {
    "TRADE_SUCCESS": "succeeded",
    "TRADE_FINISHED": "succeeded",
    "WAIT_BUYER_PAY": "pending",
    "TRADE_CLOSED": "canceled",
}
PRODUCT = {
    "pc": ("alipay.trade.page.pay", "api_alipay_trade_page_pay"),
    "wap": ("alipay.trade.wap.pay", "api_alipay_trade_wap_pay"),
}
BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")  # Alipay reads time_expire as Beijing time
NETWORK_ERRORS = (OSError, http.client.HTTPException, json.JSONDecodeError, UnicodeDecodeError)


def beijing_timestamp(now: dt.datetime | None = None) -> str:
    """Alipay's ``timestamp``: Beijing wall-clock time, "yyyy-MM-dd HH:mm:ss" (never the server's local zone)."""
    return (now or dt.datetime.now(dt.timezone.utc)).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


class OpenSSLVerifyingAliPay(AliPay):
    """The SDK's client, with only its RSA check done by OpenSSL (cryptography) instead of pycryptodome.

    Everything else is the SDK's: the string it verifies (``verify`` → ``_ordered_data``),
    the ``sign_type`` handling, the synchronous responses. Measured here: the SDK's
    pycryptodome check took 1.4 ms per notification (about 700 a second on one
    core, under the 1,000/s the notify endpoint must take); OpenSSL's takes ~0.05 ms.
    """

    def build_body(self, *args, **kwargs):
        data = super().build_body(*args, **kwargs)
        data["timestamp"] = beijing_timestamp()  # before signing: sign_data signs what build_body returned
        return data

    def _load_key(self):
        super()._load_key()
        self._openssl_public_key = load_public(self._alipay_public_key_string)

    def _verify(self, raw_content, signature):
        if self._sign_type != "RSA2":  # only RSA2 is configurable (settings); keep the SDK's own path for anything else
            return super()._verify(raw_content, signature)
        return verify_text(self._openssl_public_key, raw_content, signature)


class AlipayError(Exception):
    """Alipay answered, and refused (a business error such as ACQ.TRADE_STATUS_ERROR): retrying will not help."""

    def __init__(self, method: str, answer: dict):
        self.code, self.sub_code = str(answer.get("code", "")), str(answer.get("sub_code", ""))
        self.answer = answer
        super().__init__(
            f"{method}: {self.code} {self.sub_code} {answer.get('sub_msg') or answer.get('msg') or ''}".strip()
        )


class AlipayProvider(AgreementMethods):
    id = "alipay"
    label = N_("Alipay")
    app_agent = "alipayclient"  # inside Alipay's own browser, only Alipay is offered

    def __init__(self, settings: AlipaySettings, keys: AlipayKeys):
        self.settings = settings
        self.client = OpenSSLVerifyingAliPay(
            appid=settings.app_id,
            app_notify_url=None,
            app_private_key_string=keys.app_private_key,
            alipay_public_key_string=keys.alipay_public_key,
            sign_type=settings.sign_type,
            config=AliPayConfig(timeout=settings.timeout_seconds),
        )
        self.client._gateway = settings.gateway  # the SDK's only switch is debug=True (Alipay's own sandbox)
        self.form_origins = (
            settings.gateway,
        )  # the pay form's redirect goes there: the hall's CSP form-action allows it

    # -- paying -------------------------------------------------------------
    async def create_checkout(self, request: CheckoutRequest) -> Checkout:
        if request.channel not in PRODUCT:
            raise ValueError(f"unknown channel {request.channel!r} (pc or wap)")
        if request.currency != "CNY":
            raise ValueError(f"Alipay takes CNY here, not {request.currency!r}")
        expires = request.expires_at or dt.datetime.now(dt.timezone.utc) + dt.timedelta(
            minutes=self.settings.pay_timeout_minutes
        )
        build = getattr(self.client, PRODUCT[request.channel][1])
        signed = await asyncio.to_thread(  # RSA signing is CPU work: keep the event loop free
            build,
            subject=request.subject[:256],
            out_trade_no=request.intent_id,
            total_amount=fen_to_yuan(request.amount_fen),
            return_url=request.return_url,
            notify_url=request.notify_url,
            time_expire=expires.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S"),
        )
        return Checkout(redirect_url=f"{self.settings.gateway}?{signed}")

    # -- notifications ------------------------------------------------------
    async def verify_notification(self, form: dict[str, str]) -> GatewayResult:
        data = dict(form)  # the SDK mutates what it verifies: the caller's form stays as received
        signature = data.pop("sign", "")
        sign_type = data.pop("sign_type", self.settings.sign_type)
        if not signature:
            raise InvalidNotification("no sign")
        if sign_type != self.settings.sign_type:
            raise InvalidNotification(f"sign_type {sign_type!r}, expected {self.settings.sign_type}")
        verified = dict(data)
        try:
            ok = self.client.verify(data, signature)
        except Exception as exc:  # malformed base64 and the like: a forgery, not a crash
            raise InvalidNotification(f"signature not verifiable: {type(exc).__name__}") from None
        if not ok:
            raise InvalidNotification("bad signature")
        if verified.get("app_id") != self.settings.app_id:
            raise InvalidNotification(f"app_id {verified.get('app_id')!r} is not this tenant's")
        if verified.get("seller_id") != self.settings.seller_id:
            raise InvalidNotification(f"seller_id {verified.get('seller_id')!r} is not this tenant's")
        if not verified.get("out_trade_no"):
            raise InvalidNotification("no out_trade_no")
        try:
            return _result(verified)
        except ValueError as exc:
            raise InvalidNotification(str(exc)) from None

    def notification_response(self, handled: bool) -> tuple[int, str, str]:
        """Alipay retries (4m, 10m, 10m, 1h, 2h, 6h, 15h) until the body is exactly ``success``."""
        return 200, "text/plain", "success" if handled else "fail"

    # -- server calls -------------------------------------------------------
    async def query(self, intent_id: str) -> GatewayResult:
        answer = await self._call("alipay.trade.query", self.client.api_alipay_trade_query, out_trade_no=intent_id)
        if answer.get("sub_code") == "ACQ.TRADE_NOT_EXIST":
            return GatewayResult(intent_id=intent_id, provider_ref="", status="unknown", amount_fen=None, raw=answer)
        _refuse_unless_ok("alipay.trade.query", answer)
        if answer.get("out_trade_no") not in (None, intent_id):
            raise ProviderUnavailable(
                f"alipay.trade.query answered for {answer.get('out_trade_no')!r}, not {intent_id!r}"
            )
        return _result(answer)

    async def refund(self, intent_id: str, refund_id: str, amount_fen: int, reason: str) -> str:
        """Idempotent by ``refund_id`` (Alipay's out_request_no): a retried refund is answered, not paid twice."""
        answer = await self._call(
            "alipay.trade.refund",
            self.client.api_alipay_trade_refund,
            refund_amount=fen_to_yuan(amount_fen),
            out_trade_no=intent_id,
            out_request_no=refund_id,
            refund_reason=reason[:256],
        )
        _refuse_unless_ok("alipay.trade.refund", answer)
        return f"{answer.get('trade_no', '')}/{refund_id}"  # what alipay.trade.fastpay.refund.query takes

    async def close(self, intent_id: str) -> None:
        answer = await self._call("alipay.trade.close", self.client.api_alipay_trade_close, out_trade_no=intent_id)
        if answer.get("sub_code") == "ACQ.TRADE_NOT_EXIST":
            return  # the customer never reached Alipay: nothing to close
        _refuse_unless_ok("alipay.trade.close", answer)

    async def daily_bill(self, day: dt.date) -> list[BillRow]:
        """The core's reconciliation: the trade bill (对账单) of one Beijing day as BillRow s (none: isp.bill_not_exist).

        The SDK has no method of its own for the call; its generic ``server_api``
        signs it (through our Beijing ``build_body``) and verifies the answer.
        """
        biz = {"bill_type": "trade", "bill_date": day.isoformat()}
        answer = await self._call(BILL_METHOD, self.client.server_api, api_name=BILL_METHOD, biz_content=biz)
        if answer.get("sub_code") == "isp.bill_not_exist":  # Alipay's answer for a day without trades
            return []
        try:
            _refuse_unless_ok(BILL_METHOD, answer)
        except AlipayError as exc:  # e.g. a day whose bill is not made yet: the report says "unavailable"
            raise ProviderUnavailable(str(exc)) from None
        url = str(answer.get("bill_download_url", ""))
        if not url.startswith(("https://", "http://")):
            raise ProviderUnavailable(f"{BILL_METHOD}: no bill_download_url in {answer}")
        try:
            return parse_bill_zip(await self._download(url))
        except BillFormatError as exc:
            raise ProviderUnavailable(f"{BILL_METHOD}: {exc}") from None

    async def _download(self, url: str) -> bytes:
        """The bill's ZIP (the URL is Alipay's signed, short-lived link: nothing to sign here)."""
        try:
            async with httpx.AsyncClient(timeout=self.settings.timeout_seconds, trust_env=False) as http:
                answer = await http.get(url)
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(f"bill download: {url.split('?')[0]} unreachable: {exc!r}") from None
        if answer.status_code != 200:
            raise ProviderUnavailable(f"bill download: {answer.status_code}")
        return answer.content

    async def _call(self, method: str, fn, **kwargs) -> dict:
        try:
            return await asyncio.to_thread(fn, **kwargs)  # the SDK blocks on urllib
        except AliPayValidationError:
            raise ProviderUnavailable(
                f"{method}: the response's signature does not verify with the Alipay public key"
            ) from None
        except (
            AliPayException
        ) as exc:  # an unsigned error answer (e.g. isv.invalid-signature: our key is not the one Alipay has)
            raise ProviderUnavailable(f"{method}: {exc}") from None
        except NETWORK_ERRORS as exc:
            raise ProviderUnavailable(f"{method}: gateway {self.settings.gateway} unreachable: {exc}") from None


def _refuse_unless_ok(method: str, answer: dict) -> None:
    code = str(answer.get("code", ""))
    if code == "10000":
        return
    if code in ("20000", "20001", ""):  # service unavailable / temporary
        raise ProviderUnavailable(f"{method}: {code} {answer.get('sub_code', '')} {answer.get('sub_msg', '')}".strip())
    raise AlipayError(method, answer)


def _result(params: dict) -> GatewayResult:
    """A notification's or query's parameters as a GatewayResult; total_amount converted to fen exactly."""
    trade_status = params.get("trade_status", "")
    status = STATUS.get(trade_status)
    if status is None:
        raise ValueError(f"unknown trade_status {trade_status!r}")
    if status == "canceled" and any(
        params.get(k) for k in ("gmt_payment", "send_pay_date", "gmt_refund", "refund_fee")
    ):
        status = "succeeded"  # closed by a full refund after it was paid: refunds are the core's business, not a cancel
    amount = params.get("total_amount")
    return GatewayResult(
        intent_id=params.get("out_trade_no", ""),
        provider_ref=params.get("trade_no", ""),
        status=status,
        amount_fen=yuan_to_fen(amount) if amount is not None else None,
        raw=dict(params),
    )
