"""What an SMS channel gets and gives back, and the two kinds of failure.

An SMS channel is a ``core.notify.channels.Channel`` (``name = "sms"``) whose ``send``
also takes ``message=Outgoing(...)`` and returns a ``SendOutcome``. ``Outgoing.accepted``
lists the parts the provider already took on an earlier attempt: a channel never sends
those again, so a retry after a half-sent long message sends only what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


@dataclass(frozen=True)
class Outgoing:
    message_id: int
    recipient: str
    text: str  # the whole text, signature included: 【江南电信】…
    purpose: str = ""  # the message kind (signup, reset, workorder, …): cloud providers map it to a template
    params: dict = field(default_factory=dict)  # the values the text was made from
    signature: str = ""
    accepted: dict[int, str] = field(default_factory=dict)  # part number → provider id, from earlier attempts
    # called (from the channel's thread) with each Accepted part as soon as the provider took it: recorded at once
    on_accepted: Callable[[Accepted], None] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Accepted:
    part: int
    provider_id: str


@dataclass(frozen=True)
class Report:
    """A delivery report: the provider's id of one part, and what became of it."""

    provider_id: str
    delivered: bool
    status: str  # DELIVRD, UNDELIV, EXPIRED, … (SMPP stat) or the cloud's ErrCode
    final: bool = True  # False: still on its way (ENROUTE, waiting for a receipt)


@dataclass
class SendOutcome:
    parts: int
    accepted: list[Accepted] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)  # receipts that arrived while sending


class SmsError(Exception):
    def __init__(self, reason: str, accepted: list[Accepted] | None = None):
        super().__init__(reason)
        self.accepted = accepted or []  # parts accepted before the failure: recorded, never sent again


class TransientError(SmsError):
    """Try again later: the SMS centre is down, busy, or throttling."""


class PermanentError(SmsError):
    """Trying again will not help: refused number, bad credentials, no template for this kind."""


def signed(signature: str, body: str) -> str:
    """The text as the customer reads it: the carrier-registered signature in 【】 first (Chinese SMS rules)."""
    return f"【{signature}】{body}" if signature else body


def mask_number(number: str) -> str:
    """138****0001: enough to recognise one's own phone in a log, not enough to harvest numbers."""
    digits = number.strip()
    return digits[:3] + "****" + digits[-4:] if len(digits) >= 8 else "****"
