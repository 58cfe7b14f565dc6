"""Signed calls to WeChat Pay API v3 over httpx, whose answers count only when the platform's signature verifies."""

from __future__ import annotations

import hashlib
import json
import time
from urllib.parse import urlsplit

import httpx

from core.api.payments import ProviderUnavailable
from plugins.wechatpay.crypto import authorization, message, verify
from plugins.wechatpay.keys import WechatPayKeys
from plugins.wechatpay.settings import WechatPaySettings

ANSWER_MAX_AGE = 300  # seconds: an answer stamped further off is a replay (or a clock to fix)


def check_signed(keys: WechatPayKeys, headers, body: bytes, *, now: float, max_age: float) -> str:
    """'' when ``body`` is signed by the platform key under these headers, stamped within ``max_age``; else why not."""
    stamp, once = headers.get("wechatpay-timestamp", ""), headers.get("wechatpay-nonce", "")
    signature, serial = headers.get("wechatpay-signature", ""), headers.get("wechatpay-serial", "")
    if not (stamp and once and signature and serial):
        return "unsigned: Wechatpay-Timestamp, -Nonce, -Signature and -Serial are required"
    if serial != keys.platform_public_key_id:
        return f"signed with {serial!r}, not the platform key {keys.platform_public_key_id!r}"
    if not stamp.isdigit() or abs(now - int(stamp)) > max_age:
        return f"Wechatpay-Timestamp {stamp[:20]!r} is not within {int(max_age)} s of now (a replay?)"
    if not verify(keys.platform_public_key, message(stamp, once, body.decode("utf-8", "replace")), signature):
        return "bad signature"
    return ""


class WechatPayClient:
    def __init__(self, settings: WechatPaySettings, keys: WechatPayKeys, clock=time.time):
        self.settings, self.keys, self.clock = settings, keys, clock

    async def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        """(HTTP status, JSON answer); ProviderUnavailable when unreachable, unsigned, badly signed or a 5xx."""
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":")) if body is not None else ""
        headers = {
            "Authorization": authorization(
                self.keys.merchant_private_key,
                self.settings.mch_id,
                self.keys.merchant_serial_no,
                method,
                path,
                text,
                int(self.clock()),
            ),
            "Accept": "application/json",
            "User-Agent": "hall-wechatpay",
        }
        if text:
            headers["Content-Type"] = "application/json"
        try:
            async with httpx.AsyncClient(timeout=self.settings.timeout_seconds, trust_env=False) as http:
                answer = await http.request(
                    method, self.settings.gateway + path, content=text.encode("utf-8"), headers=headers
                )
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(f"{method} {path}: {self.settings.gateway} unreachable: {exc!r}") from None
        problem = check_signed(
            self.keys,
            {k.lower(): v for k, v in answer.headers.items()},
            answer.content,
            now=self.clock(),
            max_age=ANSWER_MAX_AGE,
        )
        if problem:
            raise ProviderUnavailable(f"{method} {path}: answer {answer.status_code} refused: {problem}")
        if answer.status_code >= 500:
            raise ProviderUnavailable(f"{method} {path}: {answer.status_code} {answer.text[:200]}")
        if not answer.content:
            return answer.status_code, {}
        try:
            data = answer.json()
        except ValueError:
            raise ProviderUnavailable(f"{method} {path}: answer is not JSON") from None
        return answer.status_code, data if isinstance(data, dict) else {}

    async def download(self, url: str, sha1: str) -> str:
        """A bill's file (the answer is not signed: its SHA1 from the signed bill answer is checked instead)."""
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        auth = authorization(
            self.keys.merchant_private_key,
            self.settings.mch_id,
            self.keys.merchant_serial_no,
            "GET",
            path,
            "",
            int(self.clock()),
        )
        try:
            async with httpx.AsyncClient(timeout=self.settings.timeout_seconds, trust_env=False) as http:
                answer = await http.get(url, headers={"Authorization": auth})
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(f"bill download: {url} unreachable: {exc!r}") from None
        if answer.status_code != 200:
            raise ProviderUnavailable(f"bill download: {answer.status_code}")
        if sha1 and hashlib.sha1(answer.content).hexdigest().lower() != sha1.lower():
            raise ProviderUnavailable("bill download: the file's SHA1 is not the one WeChat Pay signed")
        return answer.content.decode("utf-8-sig")
