"""Shared pieces of the Alipay tests: key pairs made once, a sandbox on a free port, a provider pointed at it."""

from __future__ import annotations

import http.server
import threading
import urllib.parse
import urllib.request
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from plugins.alipay.keys import AlipayKeys
from plugins.alipay.provider import AlipayProvider
from plugins.alipay.sandbox.config import load_config
from plugins.alipay.sandbox.runner import SandboxThread
from plugins.alipay.settings import AlipaySettings
from plugins.alipay.signing import new_key_pair

APP_ID = "2021000000000001"
SELLER_ID = "2088000000000001"


@dataclass(frozen=True)
class KeyPairs:
    merchant_private: str
    merchant_public: str
    sandbox_private: str
    sandbox_public: str


@cache
def key_pairs() -> KeyPairs:
    return KeyPairs(*new_key_pair(), *new_key_pair())


def write_sandbox_config(
    folder: Path, retry_scale: float = 1.0, apps: dict[str, tuple[str, str]] | None = None
) -> Path:
    """sandbox.toml with the test key pairs; ``apps``: {app_id: (seller_id, merchant public PEM)}."""
    keys = key_pairs()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sandbox-private.pem").write_text(keys.sandbox_private)
    (folder / "sandbox-public.pem").write_text(keys.sandbox_public)
    lines = [
        'private_key_file = "sandbox-private.pem"',
        'public_key_file = "sandbox-public.pem"',
        f"retry_scale = {retry_scale!r}",
    ]
    for app_id, (seller, public) in (apps or {APP_ID: (SELLER_ID, keys.merchant_public)}).items():
        (folder / f"{app_id}.pem").write_text(public)
        lines += [f'[apps."{app_id}"]', f'seller_id = "{seller}"', f'public_key_file = "{app_id}.pem"']
    (folder / "sandbox.toml").write_text("\n".join(lines) + "\n")
    return folder / "sandbox.toml"


def start_sandbox(folder: Path, retry_scale: float = 1.0) -> SandboxThread:
    return SandboxThread(load_config(write_sandbox_config(folder, retry_scale))).start()


def provider_for(
    gateway: str, *, app_id: str = APP_ID, seller_id: str = SELLER_ID, private: str | None = None
) -> AlipayProvider:
    keys = key_pairs()
    settings = AlipaySettings(app_id=app_id, seller_id=seller_id, gateway=gateway, timeout_seconds=5)
    return AlipayProvider(
        settings, AlipayKeys(app_private_key=private or keys.merchant_private, alipay_public_key=keys.sandbox_public)
    )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)


def fetch(url: str, data: dict | None = None, headers: dict | None = None) -> tuple[int, dict, str]:
    """(status, headers, body) without following redirects or using a proxy."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers=headers or {})
    try:
        with OPENER.open(request, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read().decode()


def customer_decides(sandbox: SandboxThread, checkout_url: str, action: str = "pay") -> tuple[int, str]:
    """Open the pay page like a browser, then press Pay or Cancel: (status, Location)."""
    status, _, page = fetch(checkout_url)
    assert status == 200, page
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(checkout_url).query))
    import json

    out_trade_no = json.loads(params["biz_content"])["out_trade_no"]
    status, headers, _ = fetch(
        sandbox.url + "/sandbox/pay", {"app_id": params["app_id"], "out_trade_no": out_trade_no, "action": action}
    )
    return status, headers.get("location", "")


class NotifyReceiver:
    """A merchant's notify_url on loopback: answers each POST from ``answers`` (then `success`), records the forms."""

    def __init__(self, answers: list[str]):
        self.answers = list(answers)
        self.forms: list[dict] = []
        self.succeeded = threading.Event()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                receiver.forms.append(dict(urllib.parse.parse_qsl(self.rfile.read(length).decode())))
                answer = receiver.answers.pop(0) if receiver.answers else "success"
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(answer.encode())
                if answer == "success":
                    receiver.succeeded.set()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/pay/notify/alipay"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def write_secrets(
    config_file: Path, tenant_id: str, *, private: str | None = None, public: str | None = None, extra: str = ""
) -> Path:
    """The tenant's [alipay.<id>] keys in the secrets file beside hall.toml (inline PEM)."""
    keys = key_pairs()
    path = config_file.parent / ".secrets.toml"
    body = (
        f"[alipay.{tenant_id}]\napp_private_key = '''\n{private if private is not None else keys.merchant_private}'''\n"
        f"alipay_public_key = '''\n{public if public is not None else keys.sandbox_public}'''\n{extra}"
    )
    path.write_text(body, encoding="utf-8")
    return path


def alipay_tenant_settings(gateway: str) -> dict:
    return {"alipay": {"app_id": APP_ID, "seller_id": SELLER_ID, "gateway": gateway}}
