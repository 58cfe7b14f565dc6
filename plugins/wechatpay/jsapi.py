"""JSAPI: paying inside WeChat's own browser. The payer's openid first (WeChat's silent sign-in), then the order, then the pay sheet.

1. Without an openid the checkout is a redirect to WeChat's sign-in (``snsapi_base``: silent
   inside WeChat), which comes back to the core's ``/pay/payer/...`` with a one-time ``code``.
2. :func:`openid_for` turns the code into the openid with the AppSecret (``sns/oauth2/access_token``).
3. The JSAPI order (``/v3/pay/transactions/jsapi``, with ``payer.openid``) gives a ``prepay_id``;
   the page calls ``WeixinJSBridge.invoke("getBrandWCPayRequest", …)`` with the parameters signed
   by the merchant key over ``appId\\ntimeStamp\\nnonceStr\\npackage\\n``. Whatever the bridge answers,
   the browser goes to the return page, which believes only the gateway (query or notification).

Against the sandbox, the page also carries a stand-in for WeChat's bridge: it posts the signed
parameters to the sandbox's pay sheet, which checks the signature as WeChat's client would.
"""

from __future__ import annotations

import html
import json
from urllib.parse import urlencode

import httpx

from core.api.payments import Checkout, ProviderUnavailable
from plugins.wechatpay.crypto import message, nonce, sign
from plugins.wechatpay.errors import WechatPayError
from plugins.wechatpay.settings import WECHATPAY_GATEWAY, sign_in_hosts

ORDER_PATH = "/v3/pay/transactions/jsapi"


def sign_in_url(settings, payer_url: str) -> str:
    """WeChat's silent sign-in for this AppID, coming back to ``payer_url`` with ``code``."""
    sign_in, _ = sign_in_hosts(settings)
    query = urlencode(
        {
            "appid": settings.app_id,
            "redirect_uri": payer_url,
            "response_type": "code",
            "scope": "snsapi_base",
            "state": "hall",
        }
    )
    return f"{sign_in}/connect/oauth2/authorize?{query}#wechat_redirect"


async def openid_for(settings, app_secret: str, query: dict[str, str]) -> str:
    """The payer's openid for the sign-in's ``code``; ValueError for a missing, used or forged code."""
    code = query.get("code", "")
    if not code or len(code) > 128:
        raise ValueError("the sign-in came back without a code (the payer left it, or the link was altered)")
    _, api = sign_in_hosts(settings)
    params = {"appid": settings.app_id, "secret": app_secret, "code": code, "grant_type": "authorization_code"}
    try:
        async with httpx.AsyncClient(timeout=settings.timeout_seconds, trust_env=False) as http:
            answer = await http.get(f"{api}/sns/oauth2/access_token", params=params)
        data = answer.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise ProviderUnavailable(f"WeChat sign-in: {api} not answering: {exc!r}") from None
    if not isinstance(data, dict) or answer.status_code >= 500:
        raise ProviderUnavailable(f"WeChat sign-in: answer {answer.status_code}")
    if data.get("errcode"):
        raise ValueError(f"WeChat sign-in refused the code: {data.get('errcode')} {data.get('errmsg', '')}")
    openid = str(data.get("openid", ""))
    if not openid or len(openid) > 128:
        raise ProviderUnavailable("WeChat sign-in answered without an openid")
    return openid


def bridge_parameters(settings, keys, prepay_id: str, now: float) -> dict[str, str]:
    """What ``getBrandWCPayRequest`` takes, with ``paySign`` by the merchant key."""
    stamp, once, package = str(int(now)), nonce(), f"prepay_id={prepay_id}"
    pay_sign = sign(keys.merchant_private_key, message(settings.app_id, stamp, once, package))
    return {
        "appId": settings.app_id,
        "timeStamp": stamp,
        "nonceStr": once,
        "package": package,
        "signType": "RSA",
        "paySign": pay_sign,
    }


PAGE_STYLE = (
    "body{font-family:sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;color:#222}"
    "h1{color:#07c160;font-size:1.3rem}a{color:#07c160}"
)
BRIDGE = """
var params = JSON.parse(document.getElementById("wxpay").textContent);
var back = document.getElementById("back").getAttribute("href");
function pay() {
  WeixinJSBridge.invoke("getBrandWCPayRequest", params, function () { location.replace(back); });
}
if (typeof WeixinJSBridge === "undefined") { document.addEventListener("WeixinJSBridgeReady", pay, false); } else { pay(); }
"""
SANDBOX_BRIDGE = """
if (typeof WeixinJSBridge === "undefined") {
  window.WeixinJSBridge = {invoke: function (name, params) {
    var form = document.createElement("form"), back = document.getElementById("back").getAttribute("href");
    form.method = "post"; form.action = document.getElementById("wxpay").dataset.sheet;
    Object.keys(params).concat(["back"]).forEach(function (key) {
      var field = document.createElement("input"); field.type = "hidden"; field.name = key;
      field.value = key === "back" ? back : params[key]; form.appendChild(field);
    });
    document.body.appendChild(form); form.submit();
  }};
}
"""


def bridge_page(settings, params: dict[str, str], return_url: str) -> str:
    """The page WeChat's browser opens: it hands the signed parameters to the bridge, then goes to the return page."""
    sandbox = settings.gateway != WECHATPAY_GATEWAY
    data = json.dumps(params).replace("<", "\\u003c")
    sheet = f' data-sheet="{html.escape(settings.gateway)}/sandbox/jsapi"' if sandbox else ""
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1"><title>微信支付 · WeChat Pay</title>'
        f"<style>{PAGE_STYLE}</style></head><body><h1>微信支付 · WeChat Pay</h1>"
        '<p id="opening">正在打开微信支付… Opening WeChat Pay…</p>'
        f'<p><a id="back" href="{html.escape(return_url)}">支付完成后返回 · Back when paid</a></p>'
        f'<script id="wxpay" type="application/json"{sheet}>{data}</script>'
        + (f"<script>{SANDBOX_BRIDGE}</script>" if sandbox else "")
        + f"<script>{BRIDGE}</script></body></html>"
    )


async def jsapi_checkout(provider, request, body: dict) -> Checkout:
    """Step 1 (no openid yet: to the sign-in) or step 3 (the order and the bridge page)."""
    if not request.payer_id:
        if not request.payer_url:
            raise ValueError("a JSAPI checkout needs payer_url (where WeChat's sign-in comes back)")
        return Checkout(redirect_url=sign_in_url(provider.settings, request.payer_url))
    status, answer = await provider.client.call("POST", ORDER_PATH, body | {"payer": {"openid": request.payer_id}})
    if status != 200 or not answer.get("prepay_id"):
        raise WechatPayError(ORDER_PATH, status, answer)
    params = bridge_parameters(provider.settings, provider.keys, answer["prepay_id"], provider.clock())
    return Checkout(redirect_url="", form_html=bridge_page(provider.settings, params, request.return_url))
