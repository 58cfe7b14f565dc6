"""Send a one-time code to a contact on file, in the user's language, through the message outbox - within the send limits."""

from __future__ import annotations

import datetime as dt

from litestar import Request

from core.auth.send_limits import reserve_send
from core.i18n import N_
from core.notify.outbox import deliver, queue
from core.web.context import client_address, info
from core.web.render import gettext

SUBJECT = N_("Your verification code for %(hall)s")
BODY = N_(
    "Your verification code is %(code)s. It is valid for %(minutes)s minutes. If you did not ask for it, ignore this message; never tell it to anyone."
)
# The text says what the code is for, so a code phished "for sign-up" is not typed into a password reset unawares.
BODIES = {
    "signup": N_(
        "You are signing up at %(hall)s. Your code is %(code)s, valid for %(minutes)s minutes. Never tell it to anyone."
    ),
    "reset": N_(
        "You are resetting your password at %(hall)s. Your code is %(code)s, valid for %(minutes)s minutes. If it was not you, ignore this message; never tell it to anyone."
    ),
}


async def refused_until(request: Request, *, recipient: str, identity: str) -> dt.datetime | None:
    """Reserve one code to ``recipient`` for ``identity`` (core/auth/send_limits.py): None if it may go, else when to ask again.

    Call it before making the code; every page that sends a code goes through here.
    """
    security = request.app.state.hall.deployment.security
    held = await reserve_send(security, recipient=recipient, identity=identity, address=client_address(request))
    return None if held.ok else held.retry_at


async def send_code(request: Request, *, channel: str, recipient: str, code: str, purpose: str) -> None:
    hall = request.app.state.hall
    ri = info(request)
    _ = gettext(request)
    minutes = hall.deployment.security.otp_minutes
    subject = _(SUBJECT) % {"hall": ri.tenant.display_name(ri.language)}
    body = _(BODIES.get(purpose, BODY)) % {
        "code": code,
        "minutes": minutes,
        "hall": ri.tenant.display_name(ri.language),
    }
    message_id = await queue(
        channel=channel,
        recipient=recipient,
        subject=subject,
        body_text=body,
        purpose=purpose,
        params={"code": code, "minutes": minutes},
    )
    await deliver(
        message_id, hall.channels_for(ri.tenant)
    )  # inline: the customer is waiting (SMPP: at most [sms.smpp] timeout)
