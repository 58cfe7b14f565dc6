"""Tencent Cloud SMS (API 2021-01-11) over HTTPS with httpx, signed with TC3-HMAC-SHA256.

Each call is a POST of JSON to the endpoint with ``X-TC-Action``/``X-TC-Version``/
``X-TC-Timestamp``/``X-TC-Region`` headers. The signature: a canonical request (method,
``/``, empty query, the signed headers ``content-type;host;x-tc-action``, the SHA-256 of the
body), hashed into ``TC3-HMAC-SHA256\\n<timestamp>\\n<date>/sms/tc3_request\\n<hash>``, signed
with a key derived from ``"TC3" + SecretKey`` by HMAC-SHA256 over the date, ``sms`` and
``tc3_request``. ``SendSms`` answers a ``SerialNo`` per number, kept as the part's provider id;
``PullSmsSendStatus`` hands out each delivery report once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
from urllib.parse import urlsplit

import httpx

from core.config.sms import TencentSettings
from core.notify.sms.base import Accepted, Outgoing, PermanentError, Report, SendOutcome, TransientError, mask_number

log = logging.getLogger("hall.sms.tencent")
VERSION = "2021-01-11"
CONTENT_TYPE = "application/json; charset=utf-8"
TRANSIENT_PREFIXES = (
    "InternalError",
    "RequestLimitExceeded",
    "LimitExceeded.DeliveryFrequencyLimit",
    "FailedOperation.InsufficientBalanceInSmsPackage",
    "ResourceUnavailable",
)


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def authorization(secret_id: str, secret_key: str, host: str, action: str, payload: str, timestamp: int) -> str:
    date = dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).strftime("%Y-%m-%d")
    canonical = "\n".join(
        [
            "POST",
            "/",
            "",
            f"content-type:{CONTENT_TYPE}\nhost:{host}\nx-tc-action:{action.lower()}\n",
            "content-type;host;x-tc-action",
            hashlib.sha256(payload.encode("utf-8")).hexdigest(),
        ]
    )
    scope = f"{date}/sms/tc3_request"
    to_sign = "\n".join(
        ["TC3-HMAC-SHA256", str(timestamp), scope, hashlib.sha256(canonical.encode("utf-8")).hexdigest()]
    )
    key = _hmac(_hmac(_hmac(("TC3" + secret_key).encode("utf-8"), date), "sms"), "tc3_request")
    signature = hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    return f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders=content-type;host;x-tc-action, Signature={signature}"


def e164(number: str) -> str:
    return number if number.startswith("+") else "+86" + number


class TencentChannel:
    name = "sms"
    provider = "tencent"

    def __init__(self, settings: TencentSettings, secret_key: str, signature: str):
        self.settings = settings
        self.secret_key = secret_key
        self.signature = signature

    async def _call(self, action: str, body: dict) -> dict:
        payload = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        host = urlsplit(self.settings.endpoint).netloc
        timestamp = int(dt.datetime.now(dt.timezone.utc).timestamp())
        headers = {
            "Authorization": authorization(self.settings.secret_id, self.secret_key, host, action, payload, timestamp),
            "Content-Type": CONTENT_TYPE,
            "Host": host,
            "X-TC-Action": action,
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Version": VERSION,
            "X-TC-Region": self.settings.region,
        }
        try:
            async with httpx.AsyncClient(timeout=self.settings.timeout_seconds) as client:
                response = await client.post(self.settings.endpoint, content=payload.encode("utf-8"), headers=headers)
            answer = response.json().get("Response") or {}
        except httpx.HTTPError as exc:
            raise TransientError(f"Tencent Cloud SMS unreachable: {type(exc).__name__}: {exc}") from None
        except ValueError:
            raise TransientError(f"Tencent Cloud SMS answered HTTP {response.status_code} without JSON") from None
        error = answer.get("Error")
        if error:
            reason = f"Tencent Cloud SMS {action} refused: {error.get('Code')}: {error.get('Message', '')}"[:400]
            raise (TransientError if str(error.get("Code", "")).startswith(TRANSIENT_PREFIXES) else PermanentError)(
                reason
            )
        return answer

    def _pick(self, table: dict, purpose: str):
        return table.get(purpose) or table.get(purpose.split(".")[0]) or table.get("default")

    async def send(
        self, *, recipient: str, subject: str, body_text: str, body_html: str = "", message: Outgoing | None = None
    ) -> SendOutcome:
        msg = message or Outgoing(message_id=0, recipient=recipient, text=body_text)
        if 1 in msg.accepted:
            return SendOutcome(parts=1)
        template = self._pick(self.settings.templates, msg.purpose)
        if not template:
            raise PermanentError(
                f"no Tencent Cloud template id for messages of kind {msg.purpose!r}: add it to [sms.tencent] templates"
            )
        names = self._pick(self.settings.template_params, msg.purpose) or []
        answer = await self._call(
            "SendSms",
            {
                "PhoneNumberSet": [e164(msg.recipient)],
                "SmsSdkAppId": self.settings.sdk_app_id,
                "SignName": self.signature,
                "TemplateId": template,
                "TemplateParamSet": [str(msg.params.get(n, "")) for n in names],
                "SessionContext": str(msg.message_id),
            },
        )
        [status] = answer.get("SendStatusSet") or [{}]
        if status.get("Code") != "Ok":
            reason = f"Tencent Cloud SMS refused {mask_number(msg.recipient)}: {status.get('Code')}: {status.get('Message', '')}"
            raise (TransientError if str(status.get("Code", "")).startswith(TRANSIENT_PREFIXES) else PermanentError)(
                reason
            )
        log.info("Tencent Cloud SMS to %s accepted (%s)", mask_number(msg.recipient), status.get("SerialNo"))
        return SendOutcome(parts=1, accepted=[Accepted(1, str(status["SerialNo"]))])

    async def poll_reports(self, pending: list[dict]) -> list[Report]:
        """PullSmsSendStatus: every report not pulled yet (each is handed out once), whichever part it is for."""
        if not pending:
            return []
        try:
            answer = await self._call("PullSmsSendStatus", {"Limit": 100, "SmsSdkAppId": self.settings.sdk_app_id})
        except (TransientError, PermanentError) as exc:
            log.warning("delivery reports not available: %s", exc)
            return []
        return [
            Report(
                provider_id=str(r.get("SerialNo")),
                delivered=r.get("ReportStatus") == "SUCCESS",
                status=str(r.get("Description") or r.get("ReportStatus") or "")[:32],
            )
            for r in answer.get("PullSmsSendStatusSet") or []
        ]
