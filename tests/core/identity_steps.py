"""Shared steps for identity tests (not a conftest: pytest re-imports conftests under one name)."""

from __future__ import annotations

import re

from core.notify.tables import Message
from core.testing import PASSWORD


def last_sms_code(harness, tenant_id: str, phone: str) -> str:
    async def go():
        return (
            await Message.select(Message.body_text)
            .where((Message.channel == "sms") & (Message.recipient == phone))
            .order_by(Message.id, ascending=False)
            .first()
        )

    row = harness.in_tenant(tenant_id, go)
    assert row, f"no SMS to {phone}"
    return re.search(r"\b(\d{6})\b", row["body_text"]).group(1)


def flow_of(html: str) -> str:
    match = re.search(r'name="flow" value="([^"]+)"', html)
    assert match, "no flow token on the page"
    return match.group(1)


def start_signup(client, customer, channel: str = "sms"):
    return client.post(
        "/signup",
        {
            "number": customer.numbers[0].number,
            "name": customer.name,
            "id_number": customer.id_number,
            "channel": channel,
        },
    )


def finish_signup(client, flow: str, code: str, password: str = PASSWORD):
    return client.post(
        "/signup/verify", {"flow": flow, "code": code, "password": password, "password_confirm": password}
    )


class MovableClock:
    """Replaces ``core.auth.clock.now`` (``monkeypatch``): tests move time forward instead of sleeping."""

    def __init__(self, monkeypatch):
        import datetime as dt

        from core.auth import clock

        self.at = dt.datetime.now(dt.timezone.utc)
        monkeypatch.setattr(clock, "now", lambda: self.at)

    def move(self, **delta) -> None:
        import datetime as dt

        self.at += dt.timedelta(**delta)


def sms_count(harness, tenant_id: str, phone: str) -> int:
    async def go():
        return await Message.count().where((Message.channel == "sms") & (Message.recipient == phone))

    return harness.in_tenant(tenant_id, go)
