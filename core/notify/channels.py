"""Delivery channels. E-mail goes over real SMTP; SMS goes through a channel interface.

The demo SMS channel ``outbox`` delivers nowhere: the message stays in the
message table where operators read it in the console (Messages page). A real
SMS gateway is another class with the same ``send`` method.
"""

from __future__ import annotations

import asyncio
import smtplib
from email.message import EmailMessage
from typing import Protocol


class Channel(Protocol):
    name: str

    async def send(self, *, recipient: str, subject: str, body_text: str, body_html: str = "") -> None:
        """Deliver or raise; raising leaves the message pending for a retry."""
        ...


class SmtpChannel:
    name = "email"

    def __init__(self, *, host: str, port: int, sender: str, starttls: bool = False, username: str = "",
                 password: str = "", timeout: float = 10.0):
        self.host, self.port, self.sender = host, port, sender
        self.starttls, self.username, self.password, self.timeout = starttls, username, password, timeout

    def _send_sync(self, msg: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(msg)

    async def send(self, *, recipient: str, subject: str, body_text: str, body_html: str = "") -> None:
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = recipient
        msg["Subject"] = subject
        msg.set_content(body_text)
        if body_html:
            msg.add_alternative(body_html, subtype="html")
        await asyncio.to_thread(self._send_sync, msg)


class OutboxSmsChannel:
    """Demo SMS: the message table is the outbox; operators can read it. Nothing leaves the machine."""

    name = "sms"

    async def send(self, *, recipient: str, subject: str, body_text: str, body_html: str = "") -> None:
        return None
