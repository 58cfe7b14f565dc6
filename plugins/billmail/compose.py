"""Build one bill mail: HTML and text summary, the month's call records as a CSV attachment, unsubscribe headers.

Built with the standard library's ``email.mime`` classes (policy ``compat32``
with CRLF): about three times faster than ``EmailMessage``, which matters at
100,000 mails a batch. The Message-ID is derived from the send-log row, so a
resend of the same row carries the same id and a mail client can tell.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from email import policy
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr

from core.i18n import LANGUAGES, N_
from core.legacy.settings import tenant_zone
from core.privacy import mask_contact
from core.tenancy import Tenant
from core.web.templating import Templates, format_fen

SMTP_POLICY = policy.compat32.clone(linesep="\r\n")
SUBJECT = N_("%(hall)s: your bill for %(month)s")
CSV_HEADER = (N_("Start time"), N_("Called number"), N_("Duration (s)"), N_("Call type"), N_("Charge (yuan)"))
STATUS = {"unpaid": N_("Unpaid"), "partial": N_("Partly paid"), "paid": N_("Paid")}


@dataclass(frozen=True)
class MailContext:
    """What every mail of one tenant and language shares (built once per batch, not per mail)."""

    tenant: Tenant
    language: str
    sender: str  # the SMTP envelope and header address
    base_url: str  # absolute hall address, for links
    mask: bool
    max_calls: int
    data_as_of: str  # "" when the bills were never synced
    html: object  # jinja2 templates
    text: object
    gettext: object

    @property
    def domain(self) -> str:
        return self.sender.rpartition("@")[2] or "hall.localhost"


def templates_of(hall) -> Templates:
    templates = hall.state.get("core.templates")
    if templates is None:
        templates = hall.state["core.templates"] = Templates(hall)
    return templates


def base_url(tenant: Tenant, settings) -> str:
    if settings.public_url:
        return settings.public_url
    host = tenant.hosts[0] if tenant.hosts else "localhost"
    return f"http://{host}"


def mail_context(hall, tenant: Tenant, language: str, data_as_of: str) -> MailContext:
    settings = tenant.plugin_settings("billmail")
    language = language if language in LANGUAGES else tenant.language
    templates = templates_of(hall)
    env = templates.env(tenant, language)
    return MailContext(tenant=tenant, language=language, sender=hall.deployment.mail.sender, base_url=base_url(tenant, settings),
                       mask=settings.mask_called_numbers, max_calls=settings.max_calls, data_as_of=data_as_of,
                       html=env.get_template("billmail/mail.html"), text=env.get_template("billmail/mail.txt"),
                       gettext=templates.gettext(language))


def message_id(ctx: MailContext, send_id: int) -> str:
    return f"<billmail.{ctx.tenant.id}.{send_id}@{ctx.domain}>"


def unsubscribe_url(ctx: MailContext, token: str) -> str:
    return f"{ctx.base_url}/billmail/unsubscribe/{token}"


def calls_csv(ctx: MailContext, calls: list[dict]) -> bytes:
    """UTF-8 with a BOM (so Excel opens Chinese text right), times in the tenant's zone, money in yuan from integer fen."""
    _ = ctx.gettext
    zone = tenant_zone(ctx.tenant)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_(h) for h in CSV_HEADER])
    for call in calls:
        started = call["started_at"]
        called = call["called_number"] or ""
        writer.writerow((started.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S") if started else "",
                         mask_contact(called) if ctx.mask and called else called,
                         call["duration_s"], call["call_type"], format_fen(call["charge_fen"])))
    return out.getvalue().encode("utf-8")


def build(ctx: MailContext, *, send_id: int, to: str, number: str, bill: dict, items: list[dict], calls: list[dict],
          token: str, now: dt.datetime) -> bytes:
    """The whole message as bytes with CRLF line ends, ready for SMTP DATA."""
    _ = ctx.gettext
    hall_name = ctx.tenant.display_name(ctx.language)
    shown = calls[:ctx.max_calls] if ctx.max_calls else []
    link = unsubscribe_url(ctx, token)
    values = {"hall_name": hall_name, "hotline": ctx.tenant.brand.hotline, "number": number, "bill": bill, "items": items,
              "owed_fen": max(0, (bill["amount_fen"] or 0) - (bill["paid_fen"] or 0)),
              "status": _(STATUS.get(bill["status"], bill["status"])), "calls": len(calls), "calls_shown": len(shown),
              "data_as_of": ctx.data_as_of, "unsubscribe_url": link, "account_url": f"{ctx.base_url}/billmail/",
              "primary_colour": ctx.tenant.brand.primary_colour}
    msg = MIMEMultipart("mixed")
    msg["From"] = formataddr((str(Header(hall_name, "utf-8")), ctx.sender))
    msg["To"] = to
    msg["Subject"] = Header(_(SUBJECT) % {"hall": hall_name, "month": bill["month"]}, "utf-8")
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id(ctx, send_id)
    msg["Content-Language"] = ctx.language.replace("_", "-")
    msg["List-Unsubscribe"] = f"<{link}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["Auto-Submitted"] = "auto-generated"
    body = MIMEMultipart("alternative")
    body.attach(MIMEText(ctx.text.render(values), "plain", "utf-8"))
    body.attach(MIMEText(ctx.html.render(values), "html", "utf-8"))
    msg.attach(body)
    attachment = MIMEApplication(calls_csv(ctx, shown), "csv")
    attachment.replace_header("Content-Type", 'text/csv; charset="utf-8"')
    attachment.add_header("Content-Disposition", "attachment", filename=f"calls-{number}-{bill['month']}.csv")
    msg.attach(attachment)
    return msg.as_bytes(policy=SMTP_POLICY)
