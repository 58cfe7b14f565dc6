"""Tell customers and department heads about orders, through the durable message outbox (core.notify).

Messages are queued inside the transaction that makes the change, so a message
exists exactly when the change committed; ``core.deliver_messages`` sends them.
"""

from __future__ import annotations

from core.i18n import N_
from core.notify.outbox import queue

CUSTOMER_SUBJECT = N_("%(hall)s: your request %(number)s")
CUSTOMER_BODY = N_("Your request %(number)s (%(title)s) is now: %(state)s.")
CUSTOMER_COMMENT = N_("Our reply: %(comment)s")
ESCALATION_SUBJECT = N_("Overdue work order %(number)s")
ESCALATION_BODY = N_(
    "Work order %(number)s (%(title)s) of your department was due at %(deadline)s and is still %(state)s."
)


def translator(hall, language: str, tenant_default: str = "zh_CN"):
    from core.web.templating import hall_templates

    templates = hall_templates(hall)
    lang = language or tenant_default
    return templates.gettext(lang)


def _local(moment, tenant) -> str:
    from core.localtime import local

    return local(moment, tenant, empty="-")


def _hall_name(tenant, language: str) -> str:
    return tenant.display_name(language)


async def tell_customer(hall, tenant, order: dict, wt, comment: str = "") -> int | None:
    """Queue the order's news to the contact on the order (e-mail if any, else SMS). None when there is no contact,
    or when the type tells the customer itself (``notify_customer=False``)."""
    if not getattr(wt, "notify_customer", True):
        return None
    channel, recipient = (
        ("email", order["contact_email"]) if order["contact_email"] else ("sms", order["contact_phone"])
    )
    if not recipient:
        return None
    lang = order["language"] or tenant.language
    _ = translator(hall, lang)
    values = {
        "hall": _hall_name(tenant, lang),
        "number": order["number"],
        "title": order["title"],
        "state": _(wt.state_label(order["state"])),
    }
    body = _(CUSTOMER_BODY) % values
    if comment:
        body += "\n\n" + _(CUSTOMER_COMMENT) % {"comment": comment}
    return await queue(
        channel=channel,
        recipient=recipient,
        subject=_(CUSTOMER_SUBJECT) % values,
        body_text=body,
        purpose="workorder",
        params={"number": order["number"], "state": values["state"]},
    )


async def tell_department(hall, tenant, order: dict, wt, email: str) -> int | None:
    if not email:
        return None
    _ = translator(hall, tenant.language)
    values = {
        "number": order["number"],
        "title": order["title"],
        "state": _(wt.state_label(order["state"])),
        "deadline": _local(order["deadline_at"], tenant),
    }
    return await queue(
        channel="email",
        recipient=email,
        subject=_(ESCALATION_SUBJECT) % values,
        body_text=_(ESCALATION_BODY) % values,
        purpose="workorder.escalation",
    )
