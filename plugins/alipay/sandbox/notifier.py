"""Signed asynchronous notifications, delivered and retried on Alipay's back-off until the answer is `success`."""

from __future__ import annotations

import asyncio
import secrets
import logging
import time

import httpx

from plugins.alipay.sandbox.config import SandboxConfig
from plugins.alipay.sandbox.store import TradeStore, now_text
from plugins.alipay.money import fen_to_yuan
from plugins.alipay.signing import content, sign_text

log = logging.getLogger("hall.alipay.sandbox")
BUYER_ID = "2088102177846880"  # the sandbox's one demo buyer


def notification_form(config: SandboxConfig, trade: dict) -> dict[str, str]:
    """What Alipay POSTs to notify_url for a trade's new status, signed without sign and sign_type."""
    amount = fen_to_yuan(trade["total_fen"])
    form = {
        "notify_time": now_text(),
        "notify_type": "trade_status_sync",
        "notify_id": secrets.token_hex(16),
        "charset": "utf-8",
        "version": "1.0",
        "app_id": trade["app_id"],
        "auth_app_id": trade["app_id"],
        "seller_id": trade["seller_id"],
        "trade_no": trade["trade_no"],
        "out_trade_no": trade["out_trade_no"],
        "buyer_id": BUYER_ID,
        "subject": trade["subject"],
        "trade_status": trade["status"],
        "total_amount": amount,
        "gmt_create": trade["created_at"],
    }
    if trade["status"] == "TRADE_SUCCESS":
        form |= {
            "receipt_amount": amount,
            "buyer_pay_amount": amount,
            "invoice_amount": amount,
            "point_amount": "0.00",
            "gmt_payment": trade["paid_at"],
        }
    else:
        form["gmt_close"] = trade["closed_at"]
    form = {k: v for k, v in form.items() if v}  # never an empty value: it would not be part of the signed text
    return form | {
        "sign_type": "RSA2",
        "sign": sign_text(config.private_key, content(form, exclude=("sign", "sign_type"))),
    }


class Notifier:
    """One loop per sandbox process: sleeps until the next notification is due, or until woken by a new one."""

    def __init__(self, config: SandboxConfig, store: TradeStore):
        self.config = config
        self.store = store
        self.wake = asyncio.Event()
        self.delivered = asyncio.Event()  # set after every attempt (tests wait on it, not on time)

    def send(self, trade: dict) -> None:
        if not trade["notify_url"]:
            return  # the merchant asked for none
        self.store.enqueue(
            trade["app_id"], trade["out_trade_no"], trade["notify_url"], notification_form(self.config, trade)
        )
        self.wake.set()

    def send_form(self, app_id: str, key: str, url: str, form: dict[str, str]) -> None:
        """Any other signed notification (an agreement's dut_user_sign), delivered and retried the same way."""
        if url:
            self.store.enqueue(app_id, key, url, form)
            self.wake.set()

    async def run(self) -> None:
        delays = self.config.retry_delays()
        async with httpx.AsyncClient(timeout=10, trust_env=False) as http:
            while True:
                self.wake.clear()
                due = self.store.due(time.time())
                if due:
                    await asyncio.gather(*(self._attempt(http, n, delays) for n in due))
                    continue
                next_at = self.store.next_due()
                try:
                    await asyncio.wait_for(
                        self.wake.wait(), None if next_at is None else max(0.0, next_at - time.time())
                    )
                except TimeoutError:
                    pass

    async def _attempt(self, http: httpx.AsyncClient, notification: dict, delays: list[float]) -> None:
        try:
            response = await http.post(notification["url"], data=notification["form"])
            answer = f"{response.status_code} {response.text.strip()[:100]}"
            ok = response.status_code == 200 and response.text.strip() == "success"
        except httpx.HTTPError as exc:
            answer, ok = f"unreachable: {type(exc).__name__}", False
        attempt = notification["attempts"]  # before this one
        next_at = time.time() + delays[attempt] if not ok and attempt < len(delays) else None
        self.store.attempted(notification["id"], answer, delivered=ok, next_at=next_at)
        log.info(
            "notification %s #%s for %s: %s", notification["id"], attempt + 1, notification["out_trade_no"], answer
        )
        self.delivered.set()
