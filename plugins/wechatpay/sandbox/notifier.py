"""Notifications delivered and retried on WeChat Pay's back-off until the merchant answers 200 or 204."""

from __future__ import annotations

import asyncio
import logging
import time

import httpx

from plugins.wechatpay.sandbox.config import SandboxConfig
from plugins.wechatpay.sandbox.signing import notification
from plugins.wechatpay.sandbox.store import TradeStore

log = logging.getLogger("hall.wechatpay.sandbox")


class Notifier:
    """One loop per sandbox process: sleeps until the next notification is due, or until woken by a new one."""

    def __init__(self, config: SandboxConfig, store: TradeStore):
        self.config = config
        self.store = store
        self.wake = asyncio.Event()
        self.delivered = asyncio.Event()

    def send(self, mchid: str, out_trade_no: str, url: str, event_type: str, plain: dict) -> None:
        if not url:
            return
        self.store.enqueue(mchid, out_trade_no, url, {"event_type": event_type, "plain": plain})
        self.wake.set()

    def delivery(self, note: dict) -> tuple[bytes, dict]:
        """Encrypted and signed afresh for every attempt, as WeChat Pay does (a new timestamp each time)."""
        merchant = self.config.merchants[note["mchid"]]
        event = note["event"]
        return notification(
            self.config.private_key, self.config.public_key_id, merchant.apiv3_key, event["event_type"], event["plain"]
        )

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

    async def _attempt(self, http: httpx.AsyncClient, note: dict, delays: list[float]) -> None:
        try:
            body, headers = self.delivery(note)
            response = await http.post(note["url"], content=body, headers=headers)
            answer = f"{response.status_code} {response.text.strip()[:100]}"
            ok = response.status_code in (200, 204)
        except (httpx.HTTPError, KeyError) as exc:
            answer, ok = f"unreachable: {type(exc).__name__}", False
        attempt = note["attempts"]
        next_at = time.time() + delays[attempt] if not ok and attempt < len(delays) else None
        self.store.attempted(note["id"], answer, delivered=ok, next_at=next_at)
        log.info("notification %s #%s for %s: %s", note["id"], attempt + 1, note["out_trade_no"], answer)
        self.delivered.set()
