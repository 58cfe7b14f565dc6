"""Alipay automatic payment (周期扣款 / 商家扣款): sign an agreement, its notification, charge it, end it.

The calls are Alipay's, made through python-alipay-sdk's generic ``client_api`` (the
signed page URL) and ``server_api`` (signed, verified server calls):

- ``alipay.user.agreement.page.sign``: the customer signs on Alipay's page
  (``personal_product_code`` CYCLE_PAY_AUTH_P); Alipay posts the ``dut_user_sign``
  notification (``external_agreement_no``, ``agreement_no``, ``status`` NORMAL) to
  the notify_url given, signed like a trade notification;
- ``alipay.trade.pay`` with ``product_code`` CYCLE_PAY_AUTH and
  ``agreement_params.agreement_no``: takes the money without the customer. Its
  ``out_trade_no`` is the payment intent's id: a repeat is answered
  ACQ.TRADE_HAS_SUCCESS, and the trade is then read with ``alipay.trade.query`` -
  never a second charge. Alipay also posts the trade's notification as for any trade;
- ``alipay.user.agreement.unsign``: ends it.
"""

from __future__ import annotations

import asyncio

from core.api.payments import (
    AgreementNotice,
    AgreementRefused,
    AgreementRequest,
    AgreementView,
    Checkout,
    GatewayResult,
    InvalidNotification,
    ProviderUnavailable,
)
from plugins.alipay.money import fen_to_yuan

SIGN_METHOD = "alipay.user.agreement.page.sign"
UNSIGN_METHOD = "alipay.user.agreement.unsign"
PAY_METHOD = "alipay.trade.pay"
PERSONAL_PRODUCT = "CYCLE_PAY_AUTH_P"
PRODUCT = "CYCLE_PAY_AUTH"
SIGN_SCENE = "INDUSTRY|COMMUNICATION"  # 通信 (telecom fees)
NOTIFY_TYPES = {"dut_user_sign": "active", "dut_user_unsign": "cancelled"}
GONE = ("USER_AGREEMENT_NOT_EXIST", "AGREEMENT_NOT_EXIST", "USER_AGREEMENT_ALREADY_UNSIGN")


class AgreementMethods:
    """Mixed into AlipayProvider: the payment core's optional automatic-payment capability (docs/payments.md)."""

    async def sign_agreement(self, request: AgreementRequest) -> Checkout:
        biz = {
            "personal_product_code": PERSONAL_PRODUCT,
            "sign_scene": SIGN_SCENE,
            "external_agreement_no": request.agreement_id,
            "external_logon_id": request.account[:100],
            "access_params": {"channel": "ALIPAYAPP"},
            "product_code": PRODUCT,
        }
        signed = await asyncio.to_thread(
            self.client.client_api, SIGN_METHOD, biz, return_url=request.return_url, notify_url=request.notify_url
        )
        return Checkout(redirect_url=f"{self.settings.gateway}?{signed}")

    async def verify_agreement_notification(self, form: dict[str, str]) -> AgreementNotice:
        data = dict(form)
        signature = data.pop("sign", "")
        if not signature:
            raise InvalidNotification("no sign")
        if data.pop("sign_type", self.settings.sign_type) != self.settings.sign_type:
            raise InvalidNotification("wrong sign_type")
        verified = dict(data)
        try:
            ok = self.client.verify(data, signature)
        except Exception as exc:
            raise InvalidNotification(f"signature not verifiable: {type(exc).__name__}") from None
        if not ok:
            raise InvalidNotification("bad signature")
        if verified.get("app_id") != self.settings.app_id:
            raise InvalidNotification(f"app_id {verified.get('app_id')!r} is not this tenant's")
        status = NOTIFY_TYPES.get(verified.get("notify_type", ""))
        if status is None or not verified.get("external_agreement_no") or not verified.get("agreement_no"):
            raise InvalidNotification(f"not an agreement notification ({verified.get('notify_type')!r})")
        if status == "active" and verified.get("status") != "NORMAL":
            raise InvalidNotification(f"status {verified.get('status')!r} of a signing")
        return AgreementNotice(
            agreement_id=verified["external_agreement_no"],
            agreement_no=verified["agreement_no"],
            status=status,
            payer=verified.get("alipay_user_id", ""),
            raw=verified,
        )

    async def charge_agreement(
        self, agreement: AgreementView, amount_fen: int, key: str, subject: str
    ) -> GatewayResult:
        from plugins.alipay.provider import _refuse_unless_ok, _result  # noqa: PLC0415  (one module imports the other)

        biz = {
            "out_trade_no": key,
            "total_amount": fen_to_yuan(amount_fen),
            "subject": subject[:256] or key,
            "product_code": PRODUCT,
            "agreement_params": {"agreement_no": agreement.agreement_no},
        }
        extra = {"notify_url": agreement.notify_url} if agreement.notify_url else {}
        answer = await self._call(PAY_METHOD, self.client.server_api, api_name=PAY_METHOD, biz_content=biz, **extra)
        code, sub_code = str(answer.get("code", "")), str(answer.get("sub_code", ""))
        if sub_code == "ACQ.TRADE_HAS_SUCCESS" or code == "10003":  # a repeat, or still deciding: Alipay's trade says
            result = await self.query(key)
            if result.status == "unknown":
                raise ProviderUnavailable(f"{PAY_METHOD}: {sub_code or code} but no trade {key}")
            return result
        if code in ("20000", "20001", ""):
            _refuse_unless_ok(PAY_METHOD, answer)  # raises ProviderUnavailable
        if code != "10000":
            raise AgreementRefused(f"{sub_code or code} {answer.get('sub_msg') or answer.get('msg') or ''}".strip())
        if answer.get("out_trade_no") not in (None, key):
            raise ProviderUnavailable(f"{PAY_METHOD} answered for {answer.get('out_trade_no')!r}, not {key!r}")
        return _result({**answer, "out_trade_no": key, "trade_status": "TRADE_SUCCESS"})

    async def cancel_agreement(self, agreement: AgreementView) -> None:
        biz = {"agreement_no": agreement.agreement_no, "personal_product_code": PERSONAL_PRODUCT}
        answer = await self._call(UNSIGN_METHOD, self.client.server_api, api_name=UNSIGN_METHOD, biz_content=biz)
        code, sub_code = str(answer.get("code", "")), str(answer.get("sub_code", ""))
        if code == "10000" or any(g in sub_code for g in GONE):
            return
        raise ProviderUnavailable(f"{UNSIGN_METHOD}: {code} {sub_code} {answer.get('sub_msg', '')}".strip())
