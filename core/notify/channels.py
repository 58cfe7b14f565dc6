"""Delivery channels. E-mail goes over real SMTP; SMS goes through a channel interface.

The demo SMS channel delivers nowhere: the message stays in the message table where
operators read it in the console (Messages page); under ``hall demo`` it also prints
each SMS in the terminal. Real SMS providers (core/notify/sms/: SMPP, Alibaba Cloud,
or a plugin's) are classes with the same ``send`` method, chosen per tenant in [sms].
"""

from __future__ import annotations

import asyncio
import os
import smtplib
from email.message import EmailMessage
from typing import Protocol


class Channel(Protocol):
    name: str

    async def send(self, *, recipient: str, subject: str, body_text: str, body_html: str = "", message=None):
        """Deliver or raise; raising leaves the message pending for a retry.

        SMS channels also get ``message`` (core.notify.sms.base.Outgoing: the signed text,
        the kind, the parts already accepted) and return a SendOutcome.
        """
        ...


class SmtpChannel:
    name = "email"

    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        starttls: bool = False,
        username: str = "",
        password: str = "",
        timeout: float = 10.0,
    ):
        self.host, self.port, self.sender = host, port, sender
        self.starttls, self.username, self.password, self.timeout = starttls, username, password, timeout

    def _send_sync(self, msg: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(msg)

    async def send(self, *, recipient: str, subject: str, body_text: str, body_html: str = "", message=None) -> None:
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = recipient
        msg["Subject"] = subject
        msg.set_content(body_text)
        if body_html:
            msg.add_alternative(body_html, subtype="html")
        await asyncio.to_thread(self._send_sync, msg)


ECHO_VARIABLE = "HALL_DEMO_SMS_ECHO"  # set by `hall demo`: its web workers print each demo SMS in the terminal


class OutboxSmsChannel:
    """Demo SMS: the message table is the outbox; operators can read it. Nothing leaves the machine."""

    name = "sms"
    provider = "demo"

    async def send(self, *, recipient: str, subject: str, body_text: str, body_html: str = "", message=None):
        from core.notify.sms.base import SendOutcome, mask_number
        from core.notify.sms.smpp import split

        text = message.text if message is not None else body_text
        if os.environ.get(ECHO_VARIABLE):
            print(f"SMS to {mask_number(recipient)}: {text}", flush=True)
        return SendOutcome(parts=len(split(text, 0)[0]))  # as many parts as a real SMSC would carry
