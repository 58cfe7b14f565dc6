"""Alibaba Cloud SMS (dysmsapi, API version 2017-05-25) over HTTPS with httpx.

Requests are RPC-style GETs signed with signature method v1 (HMAC-SHA1): every parameter,
percent-encoded per RFC 3986 (space %20, ``*`` %2A, ``~`` kept), sorted by name and joined
into ``k=v&…``; the string to sign is ``GET&%2F&`` + that string percent-encoded again; the
key is the AccessKey secret followed by ``&``. ``SendSms`` takes the template code of the
message kind, the SignName and the template's values as JSON, and answers a ``BizId``,
kept as the part's provider id. ``QuerySendDetails`` (phone, day, BizId) tells what became
of it: SendStatus 1 waiting, 2 failed, 3 delivered.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import uuid
from urllib.parse import quote

import httpx

from core.config.sms import AliyunSettings
from core.notify.sms.base import Accepted, Outgoing, PermanentError, Report, SendOutcome, TransientError, mask_number

log = logging.getLogger("hall.sms.aliyun")
VERSION = "2017-05-25"
# Codes that say "later": throttling and the service's own trouble. Everything else is final for the message.
TRANSIENT_CODES = {
    "isv.BUSINESS_LIMIT_CONTROL",
    "Throttling.User",
    "Throttling",
    "isp.SYSTEM_ERROR",
    "isp.RAM_PERMISSION_DENY",
    "ServiceUnavailable",
    "InternalError",
}


def percent(value: str) -> str:
    return quote(str(value), safe="~")


def string_to_sign(params: dict[str, str], method: str = "GET") -> str:
    canonical = "&".join(f"{percent(k)}={percent(v)}" for k, v in sorted(params.items()))
    return f"{method}&{percent('/')}&{percent(canonical)}"


def sign(params: dict[str, str], secret: str, method: str = "GET") -> str:
    digest = hmac.new((secret + "&").encode(), string_to_sign(params, method).encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def template_values(params: dict) -> dict[str, str]:
    """The template's variables: strings, as the API wants them."""
    return {k: str(v) for k, v in params.items()}


class AliyunChannel:
    name = "sms"
    provider = "aliyun"

    def __init__(
        self,
        settings: AliyunSettings,
        access_key_secret: str,
        signature: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ):
        self.settings = settings
        self.secret = access_key_secret
        self.signature = signature
        self.transport = transport

    def signed_query(self, action: str, **fields: str) -> dict[str, str]:
        params = {
            "AccessKeyId": self.settings.access_key_id,
            "Action": action,
            "Format": "JSON",
            "RegionId": self.settings.region_id,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "Timestamp": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": VERSION,
            **fields,
        }
        params["Signature"] = sign(params, self.secret)
        return params

    async def _call(self, action: str, **fields: str) -> dict:
        query = self.signed_query(action, **fields)
        try:
            async with httpx.AsyncClient(timeout=self.settings.timeout_seconds, transport=self.transport) as client:
                response = await client.get(self.settings.endpoint, params=query)
        except httpx.HTTPError as exc:
            raise TransientError(f"Alibaba Cloud SMS unreachable: {type(exc).__name__}: {exc}") from None
        try:
            body = response.json()
        except ValueError:
            raise TransientError(f"Alibaba Cloud SMS answered HTTP {response.status_code} without JSON") from None
        code = str(body.get("Code", ""))
        if code != "OK":
            reason = f"Alibaba Cloud SMS {action} refused: {code}: {body.get('Message', '')}"[:400]
            if code in TRANSIENT_CODES or response.status_code >= 500:
                raise TransientError(reason)
            raise PermanentError(reason)
        return body

    def template_for(self, purpose: str) -> str:
        templates = self.settings.templates
        code = templates.get(purpose) or templates.get(purpose.split(".")[0]) or templates.get("default")
        if not code:
            raise PermanentError(
                f"no Alibaba Cloud template code for messages of kind {purpose!r}: add it to [sms.aliyun] templates"
            )
        return code

    async def send(
        self, *, recipient: str, subject: str, body_text: str, body_html: str = "", message: Outgoing | None = None
    ) -> SendOutcome:
        msg = message or Outgoing(message_id=0, recipient=recipient, text=body_text)
        if 1 in msg.accepted:
            return SendOutcome(parts=1)  # Alibaba Cloud took it on an earlier attempt
        body = await self._call(
            "SendSms",
            PhoneNumbers=msg.recipient,
            SignName=self.signature,
            TemplateCode=self.template_for(msg.purpose),
            TemplateParam=json.dumps(template_values(msg.params), ensure_ascii=False),
            OutId=str(msg.message_id),
        )
        log.info("Alibaba Cloud SMS to %s accepted (%s)", mask_number(msg.recipient), body.get("BizId"))
        return SendOutcome(parts=1, accepted=[Accepted(1, str(body["BizId"]))])

    async def poll_reports(self, pending: list[dict]) -> list[Report]:
        """QuerySendDetails for each part still waiting (``pending`` rows: provider_id, recipient, accepted_at)."""
        reports = []
        for row in pending:
            day = (
                row["accepted_at"].astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y%m%d")
            )  # the API's days are Beijing days
            try:
                body = await self._call(
                    "QuerySendDetails",
                    PhoneNumber=row["recipient"],
                    SendDate=day,
                    BizId=row["provider_id"],
                    PageSize="10",
                    CurrentPage="1",
                )
            except (TransientError, PermanentError) as exc:
                log.warning("delivery report of %s not available: %s", row["provider_id"], exc)
                continue
            for detail in (body.get("SmsSendDetailDTOs") or {}).get("SmsSendDetailDTO") or []:
                status = int(detail.get("SendStatus", 1))
                if status == 1:
                    continue  # still waiting for the carrier's receipt
                reports.append(
                    Report(
                        provider_id=row["provider_id"],
                        delivered=status == 3,
                        status=str(detail.get("ErrCode") or ("DELIVERED" if status == 3 else "FAILED"))[:32],
                    )
                )
        return reports
