"""The sandbox standing in for WeChat itself: the silent web sign-in (openid for JSAPI) and the in-app pay sheet.

- ``GET /connect/oauth2/authorize``: WeChat's ``snsapi_base`` sign-in. Inside WeChat it is silent:
  the browser goes straight back to ``redirect_uri`` with a one-time ``code``. The sandbox knows
  the "WeChat user" by a cookie of its own, so one browser keeps one openid per AppID.
- ``GET /sns/oauth2/access_token``: the code (once, within 5 minutes) and the AppSecret give the openid.
- ``POST /sandbox/jsapi``: what WeChat's client does with ``getBrandWCPayRequest``: check ``paySign``
  with the merchant's key over ``appId\\ntimeStamp\\nnonceStr\\npackage\\n``, then show the pay sheet.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from urllib.parse import urlencode, urlsplit, urlunsplit

from plugins.wechatpay.crypto import message, verify
from plugins.wechatpay.sandbox.config import SandboxConfig, merchant_of_app

CODE_SECONDS = 300  # WeChat's sign-in codes expire after five minutes and work once
USER_COOKIE = "wxsandbox_user"
PREPAY_PREFIX = "wx"


def openid_of(app_id: str, user: str) -> str:
    """A stable openid per (AppID, WeChat user), shaped like WeChat's (28 characters starting with o)."""
    digest = base64.urlsafe_b64encode(hashlib.sha256(f"{app_id}:{user}".encode()).digest()).decode()
    return "o" + digest[:27]


class SignIn:
    def __init__(self, config: SandboxConfig):
        self.config = config
        self.codes: dict[str, tuple[str, str, float]] = {}  # code -> (appid, openid, expires at)
        self.lock = threading.Lock()

    def authorize(self, query: dict[str, str], user: str) -> tuple[int, str]:
        """(status, where to go or why not), as WeChat's sign-in page does."""
        app_id, back = query.get("appid", ""), query.get("redirect_uri", "")
        if merchant_of_app(self.config, app_id) is None:
            return 400, "appid 无效 (unknown appid)"
        if query.get("scope") not in ("snsapi_base", "snsapi_userinfo") or query.get("response_type") != "code":
            return 400, "scope 或 response_type 参数错误"
        parts = urlsplit(back)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return 400, "redirect_uri 参数错误"
        code = secrets.token_urlsafe(24)
        with self.lock:
            now = time.time()
            self.codes = {k: v for k, v in self.codes.items() if v[2] > now}
            self.codes[code] = (app_id, openid_of(app_id, user), now + CODE_SECONDS)
        added = urlencode({"code": code, "state": query.get("state", "")})
        query_text = f"{parts.query}&{added}" if parts.query else added
        return 302, urlunsplit((parts.scheme, parts.netloc, parts.path, query_text, ""))

    def access_token(self, query: dict[str, str]) -> dict:
        app_id = query.get("appid", "")
        merchant = merchant_of_app(self.config, app_id)
        if merchant is None:
            return {"errcode": 40013, "errmsg": "invalid appid"}
        if not merchant.app_secret or not secrets.compare_digest(query.get("secret", ""), merchant.app_secret):
            return {"errcode": 40125, "errmsg": "invalid appsecret"}
        if query.get("grant_type") != "authorization_code":
            return {"errcode": 40002, "errmsg": "invalid grant_type"}
        with self.lock:
            found = self.codes.pop(query.get("code", ""), None)
        if found is None or found[0] != app_id or found[2] < time.time():
            return {"errcode": 40029, "errmsg": "invalid code"}
        return {
            "access_token": secrets.token_urlsafe(32),
            "expires_in": 7200,
            "refresh_token": secrets.token_urlsafe(32),
            "openid": found[1],
            "scope": "snsapi_base",
        }


def new_user() -> str:
    return secrets.token_urlsafe(12)


def prepay_id(token: str) -> str:
    return PREPAY_PREFIX + token


def token_of(prepay: str) -> str:
    return prepay[len(PREPAY_PREFIX) :] if prepay.startswith(PREPAY_PREFIX) else ""


def check_pay_sign(config: SandboxConfig, form: dict[str, str], now: float) -> tuple[str, str]:
    """(the trade's token, '') when ``form`` is a well-signed getBrandWCPayRequest; ('', why not) otherwise."""
    merchant = merchant_of_app(config, form.get("appId", ""))
    if merchant is None:
        return "", "appId 无效"
    package, stamp = form.get("package", ""), form.get("timeStamp", "")
    if not package.startswith("prepay_id=") or form.get("signType") != "RSA":
        return "", "package 或 signType 参数错误"
    if not stamp.isdigit() or abs(now - int(stamp)) > 7200:  # prepay_id lives two hours
        return "", "timeStamp 已过期"
    signed = message(merchant.app_id, stamp, form.get("nonceStr", ""), package)
    if not verify(merchant.public_key, signed, form.get("paySign", "")):
        return "", "支付验证签名失败 (paySign)"
    return token_of(package.removeprefix("prepay_id=")), ""
