"""A local stand-in for Tencent Cloud SMS (API 2021-01-11) for tests: real HTTP on loopback.

Before anything else it checks a request as the service does: the SecretId must exist
(``AuthFailure.SecretIdNotFound``), the timestamp be within 5 minutes
(``AuthFailure.SignatureExpire``), and the TC3-HMAC-SHA256 signature, recomputed here from
the raw body and headers by the published algorithm (not the code under test's), match
(``AuthFailure.SignatureFailure``). Then ``SendSms`` checks the app, sign name, template and
the number of template values, and ``PullSmsSendStatus`` hands out each report once.
Answers are the service's ``{"Response": …}`` JSON.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import itertools
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

from core.testing.mail import free_port

BEIJING = ZoneInfo("Asia/Shanghai")


def _h(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


@dataclass
class StandInTencentSms:
    keys: dict[str, str] = field(default_factory=lambda: {"AKIDTEST000001": "tencent-secret-key"})
    app_id: str = "1400000001"
    sign_names: set[str] = field(default_factory=lambda: {"江南电信"})
    templates: dict[str, int] = field(
        default_factory=lambda: {"1000001": 2, "1000002": 2, "1000003": 2}
    )  # id → values it takes
    port: int = field(default_factory=free_port)
    undeliverable: set[str] = field(default_factory=set)

    def __post_init__(self):
        self.sent: list[dict] = []
        self.refused: list[str] = []
        self._reports: list[dict] = []
        self._serial = itertools.count(1)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> "StandInTencentSms":
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                answer = api.answer({k.lower(): v for k, v in self.headers.items()}, body)
                data = json.dumps({"Response": answer}, ensure_ascii=False).encode()
                self.send_response(200)  # the service answers 200 and puts errors in Response.Error
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def _error(self, code: str, message: str) -> dict:
        self.refused.append(code)
        return {"Error": {"Code": code, "Message": message}, "RequestId": str(uuid.uuid4())}

    def answer(self, headers: dict, body: bytes) -> dict:
        auth = headers.get("authorization", "")
        match = re.fullmatch(
            r"TC3-HMAC-SHA256 Credential=([^/]+)/(\d{4}-\d{2}-\d{2})/sms/tc3_request, SignedHeaders=([a-z;-]+), Signature=([0-9a-f]{64})",
            auth,
        )
        if not match:
            return self._error("AuthFailure.InvalidAuthorization", "Authorization header is malformed.")
        secret_id, date, signed, signature = match.groups()
        secret = self.keys.get(secret_id)
        if secret is None:
            return self._error(
                "AuthFailure.SecretIdNotFound",
                "The SecretId is not found, please ensure that your SecretId is correct.",
            )
        try:
            stamp = int(headers.get("x-tc-timestamp", ""))
        except ValueError:
            return self._error("AuthFailure.SignatureFailure", "X-TC-Timestamp is not a number.")
        if (
            abs(time.time() - stamp) > 300
            or dt.datetime.fromtimestamp(stamp, dt.timezone.utc).strftime("%Y-%m-%d") != date
        ):
            return self._error(
                "AuthFailure.SignatureExpire",
                "Signature expired. Timestamp and server time cannot differ by more than 5 minutes.",
            )
        names = signed.split(";")
        canonical_headers = "".join(
            f"{n}:{(headers.get(n) or '').strip().lower() if n == 'x-tc-action' else (headers.get(n) or '').strip()}\n"
            for n in names
        )
        canonical = "\n".join(["POST", "/", "", canonical_headers, signed, hashlib.sha256(body).hexdigest()])
        to_sign = "\n".join(
            ["TC3-HMAC-SHA256", str(stamp), f"{date}/sms/tc3_request", hashlib.sha256(canonical.encode()).hexdigest()]
        )
        key = _h(_h(_h(f"TC3{secret}".encode(), date), "sms"), "tc3_request")
        if not hmac.compare_digest(hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest(), signature):
            return self._error(
                "AuthFailure.SignatureFailure",
                "The provided credentials could not be validated. Please check your signature is correct.",
            )
        if headers.get("x-tc-version") != "2021-01-11":
            return self._error("InvalidParameter", "X-TC-Version is not supported.")
        try:
            request = json.loads(body)
        except ValueError:
            return self._error("InvalidParameter", "The body is not JSON.")
        action = headers.get("x-tc-action")
        if request.get("SmsSdkAppId") != self.app_id:
            return self._error("FailedOperation.InvalidSdkAppId", "SdkAppId does not exist.")
        if action == "SendSms":
            return self._send(request)
        if action == "PullSmsSendStatus":
            with self._lock:
                out, self._reports = (
                    self._reports[: request.get("Limit", 100)],
                    self._reports[request.get("Limit", 100) :],
                )
            return {"PullSmsSendStatusSet": out, "RequestId": str(uuid.uuid4())}
        return self._error("InvalidAction", f"The action {action} is not found.")

    def _send(self, r: dict) -> dict:
        if r.get("SignName") not in self.sign_names:
            return self._error(
                "FailedOperation.SignatureIncorrectOrUnapproved", "The signature is incorrect or unapproved."
            )
        if r.get("TemplateId") not in self.templates:
            return self._error(
                "FailedOperation.TemplateIncorrectOrUnapproved", "The template is incorrect or unapproved."
            )
        values = r.get("TemplateParamSet") or []
        if len(values) != self.templates[r["TemplateId"]] or not all(isinstance(v, str) for v in values):
            return self._error(
                "InvalidParameterValue.TemplateParameterFormatError",
                "The template parameters do not match the template.",
            )
        statuses = []
        for number in r.get("PhoneNumberSet") or []:
            if not re.fullmatch(r"\+861\d{10}", number):
                statuses.append(
                    {
                        "SerialNo": "",
                        "PhoneNumber": number,
                        "Fee": 0,
                        "SessionContext": r.get("SessionContext", ""),
                        "Code": "InvalidParameterValue.IncorrectPhoneNumber",
                        "Message": "incorrect phone number",
                        "IsoCode": "CN",
                    }
                )
                continue
            serial = f"2433:{next(self._serial):020d}"
            with self._lock:
                self.sent.append(
                    {
                        "SerialNo": serial,
                        "PhoneNumber": number,
                        "SignName": r["SignName"],
                        "TemplateId": r["TemplateId"],
                        "TemplateParamSet": values,
                        "SessionContext": r.get("SessionContext", ""),
                    }
                )
                failed = number[3:] in self.undeliverable
                self._reports.append(
                    {
                        "UserReceiveTime": dt.datetime.now(BEIJING).strftime("%Y-%m-%d %H:%M:%S"),
                        "CountryCode": "86",
                        "SubscriberNumber": number[3:],
                        "PhoneNumber": number,
                        "SerialNo": serial,
                        "ReportStatus": "FAIL" if failed else "SUCCESS",
                        "Description": "UNDELIV" if failed else "DELIVRD",
                        "SessionContext": r.get("SessionContext", ""),
                    }
                )
            statuses.append(
                {
                    "SerialNo": serial,
                    "PhoneNumber": number,
                    "Fee": 1,
                    "SessionContext": r.get("SessionContext", ""),
                    "Code": "Ok",
                    "Message": "send success",
                    "IsoCode": "CN",
                }
            )
        return {"SendStatusSet": statuses, "RequestId": str(uuid.uuid4())}
