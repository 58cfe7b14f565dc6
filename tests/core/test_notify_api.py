"""core.api.notify.queue_message: a plugin's message exists exactly when its transaction committed, and SMS keep their limits."""

from __future__ import annotations

import pytest

from core.api.db import transaction
from core.api.notify import queue_message
from core.api.testing import make_runner
from core.notify.tables import Message


class Boom(Exception):
    pass


def test_a_committed_message_is_delivered_a_rolled_back_one_never_exists(hall, mail_sink):
    async def commit():
        async with transaction():
            await queue_message(
                channel="email",
                recipient="kept@example.com",
                subject="Your order",
                body_text="See it at http://x/o/1",
                purpose="shop_order",
            )

    async def roll_back():
        async with transaction():
            await queue_message(channel="email", recipient="gone@example.com", subject="x", body_text="x")
            raise Boom()

    hall.in_tenant("alpha", commit)
    with pytest.raises(Boom):
        hall.in_tenant("alpha", roll_back)
    rows = hall.in_tenant("alpha", lambda: Message.select(Message.recipient, Message.purpose))
    assert rows == [{"recipient": "kept@example.com", "purpose": "shop_order"}]
    hall.run(make_runner(hall.hall).run_now("core.deliver_messages"))
    assert mail_sink.wait_for("kept@example.com")["Subject"] == "Your order"
    assert mail_sink.to("gone@example.com") == []


@pytest.mark.parametrize(
    "channel, recipient",
    [("fax", "123"), ("email", "not-an-address"), ("sms", "13800 abc"), ("sms", ""), ("email", "a@b.c\nBcc: x@y.z")],
)
def test_unknown_channels_and_malformed_recipients_are_refused(hall, channel, recipient):
    with pytest.raises(ValueError):
        hall.in_tenant("alpha", queue_message, channel=channel, recipient=recipient, subject="s", body_text="b")
    assert hall.in_tenant("alpha", lambda: Message.count()) == 0


def test_sms_to_one_number_keep_the_per_number_limit(hall):
    for i in range(11):  # [sms] per_destination_per_hour is 10 by default
        hall.in_tenant("alpha", queue_message, channel="sms", recipient="13800000009", subject="", body_text=f"n{i}")
    hall.run(make_runner(hall.hall).run_now("core.deliver_messages"))
    rows = hall.in_tenant("alpha", lambda: Message.select(Message.status, Message.last_error).order_by(Message.id))
    assert [r["status"] for r in rows] == ["sent"] * 10 + ["failed"]
    assert "rate limited" in rows[-1]["last_error"]
