"""A local stand-in for Alibaba Cloud SMS (dysmsapi 2017-05-25) for tests: real HTTP on loopback.

It checks each request the way the service does before doing anything: the AccessKeyId
must exist (404 ``InvalidAccessKeyId.NotFound``), the v1 HMAC-SHA1 signature recomputed
from the decoded query must match (400 ``SignatureDoesNotMatch``, with the server's string
to sign), the timestamp must be within 15 minutes and the nonce unused; then ``SendSms``
checks the sign name, template code and phone number, and ``QuerySendDetails`` reports the
stored sends. Answers are the service's JSON shapes. Its signature check is written here
from the published algorithm, not borrowed from the code under test.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import itertools
import json
import re
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, urlsplit

from core.testing.mail import free_port


def _enc(text: str) -> str:
    return quote(text, safe="~")  # RFC 3986: space → %20, * → %2A, ~ stays


@dataclass
class StandInAliyunSms:
    keys: dict[str, str] = field(default_factory=lambda: {"LTAI5tTESTKEY000001": "test-secret-0123456789"})
    sign_names: set[str] = field(default_factory=lambda: {"江南电信"})
    templates: set[str] = field(default_factory=lambda: {"SMS_100001", "SMS_100002", "SMS_100003"})
    port: int = field(default_factory=free_port)
    fail_next: int = 0  # answer isp.SYSTEM_ERROR (HTTP 500) this many times
    undeliverable: set[str] = field(default_factory=set)

    def __post_init__(self):
        self.sent: list[dict] = []
        self.refused: list[str] = []
        self._nonces: set[str] = set()
        self._biz = itertools.count(900619746936498440)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> "StandInAliyunSms":
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                status, body = api.answer(urlsplit(self.path).query)
                data = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=utf-8")
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

    # -- the service --------------------------------------------------------
    def _error(self, status: int, code: str, message: str) -> tuple[int, dict]:
        self.refused.append(code)
        return status, {
            "RequestId": str(uuid.uuid4()).upper(),
            "HostId": "dysmsapi.aliyuncs.com",
            "Code": code,
            "Message": message,
            "Recommend": f"https://api.aliyun.com/troubleshoot?q={code}",
        }

    def answer(self, raw_query: str) -> tuple[int, dict]:
        params = dict(parse_qsl(raw_query, keep_blank_values=True))
        given = params.pop("Signature", "")
        secret = self.keys.get(params.get("AccessKeyId", ""))
        if secret is None:
            return self._error(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        canonical = "&".join(f"{_enc(k)}={_enc(v)}" for k, v in sorted(params.items()))
        to_sign = f"GET&{_enc('/')}&{_enc(canonical)}"
        expected = base64.b64encode(hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()).decode()
        if not hmac.compare_digest(expected, given):
            return self._error(
                400,
                "SignatureDoesNotMatch",
                f"Specified signature is not matched with our calculation. server string to sign is:{to_sign}",
            )
        for required in (
            "Action",
            "Version",
            "SignatureMethod",
            "SignatureNonce",
            "SignatureVersion",
            "Timestamp",
            "Format",
        ):
            if not params.get(required):
                return self._error(
                    400,
                    "MissingParameter",
                    f'The input parameter "{required}" that is mandatory for processing this request is not supplied.',
                )
        if (
            params["SignatureMethod"] != "HMAC-SHA1"
            or params["SignatureVersion"] != "1.0"
            or params["Version"] != "2017-05-25"
        ):
            return self._error(
                400, "InvalidParameter", "SignatureMethod, SignatureVersion or Version is not supported."
            )
        try:
            stamp = dt.datetime.strptime(params["Timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
        except ValueError:
            return self._error(
                400, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted."
            )
        if abs((dt.datetime.now(dt.timezone.utc) - stamp).total_seconds()) > 900:
            return self._error(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")
        with self._lock:
            if params["SignatureNonce"] in self._nonces:
                return self._error(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
            self._nonces.add(params["SignatureNonce"])
        if self.fail_next > 0:
            self.fail_next -= 1
            return self._error(500, "isp.SYSTEM_ERROR", "The request processing has failed due to some unknown error.")
        if params["Action"] == "SendSms":
            return self._send(params)
        if params["Action"] == "QuerySendDetails":
            return self._query(params)
        return self._error(
            404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method."
        )

    def _send(self, p: dict) -> tuple[int, dict]:
        if p.get("SignName") not in self.sign_names:
            return self._error(200, "isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名")
        if p.get("TemplateCode") not in self.templates:
            return self._error(200, "isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板")
        if not re.fullmatch(r"1\d{10}", p.get("PhoneNumbers", "")):
            return self._error(200, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
        try:
            values = json.loads(p.get("TemplateParam") or "{}")
        except ValueError:
            return self._error(200, "isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值")
        if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
            return self._error(200, "isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值")
        biz_id = f"{next(self._biz)}^0"
        now = dt.datetime.now(dt.timezone(dt.timedelta(hours=8)))
        with self._lock:
            self.sent.append(
                {
                    "BizId": biz_id,
                    "PhoneNum": p["PhoneNumbers"],
                    "SignName": p["SignName"],
                    "TemplateCode": p["TemplateCode"],
                    "TemplateParam": values,
                    "OutId": p.get("OutId", ""),
                    "SendDate": now.strftime("%Y-%m-%d %H:%M:%S"),
                    "day": now.strftime("%Y%m%d"),
                }
            )
        return 200, {"Message": "OK", "RequestId": str(uuid.uuid4()).upper(), "BizId": biz_id, "Code": "OK"}

    def _query(self, p: dict) -> tuple[int, dict]:
        found = [
            s
            for s in self.sent
            if s["PhoneNum"] == p.get("PhoneNumber")
            and s["day"] == p.get("SendDate")
            and (not p.get("BizId") or s["BizId"] == p["BizId"])
        ]
        details = []
        for s in found:
            failed = s["PhoneNum"] in self.undeliverable
            details.append(
                {
                    "PhoneNum": s["PhoneNum"],
                    "SendStatus": 2 if failed else 3,
                    "ErrCode": "IS_CLOSE" if failed else "DELIVERED",
                    "TemplateCode": s["TemplateCode"],
                    "Content": json.dumps(s["TemplateParam"], ensure_ascii=False),
                    "SendDate": s["SendDate"],
                    "ReceiveDate": s["SendDate"],
                    "OutId": s["OutId"],
                }
            )
        return 200, {
            "TotalCount": len(details),
            "Message": "OK",
            "RequestId": str(uuid.uuid4()).upper(),
            "SmsSendDetailDTOs": {"SmsSendDetailDTO": details},
            "Code": "OK",
        }
