"""Serving the sandbox with granian's embedded server: in the foreground (the command) or on a thread (demo, tests)."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from plugins.wechatpay.sandbox.app import build_app
from plugins.wechatpay.sandbox.config import SandboxConfig, load_config


def _server(app, host: str, port: int):
    from granian.constants import Interfaces
    from granian.server.embed import Server

    return Server(app, address=host, port=port, interface=Interfaces.ASGI, log_enabled=False)


def serve(config_file: Path, host: str, port: int, retry_scale: float | None = None) -> None:
    app = build_app(load_config(config_file, retry_scale=retry_scale))
    asyncio.run(_server(app, host, port).serve())


class SandboxThread:
    """The sandbox on a background thread with its own loop: ``.url`` (the gateway), ``.store``, ``.notifier``."""

    def __init__(self, config: SandboxConfig, host: str = "127.0.0.1", port: int = 0):
        if not port:
            with socket.socket() as sock:
                sock.bind((host, 0))
                port = sock.getsockname()[1]
        self.app = build_app(config)
        self.url = f"http://{host}:{port}"
        self.store = self.app.state.sandbox_store
        self.notifier = self.app.state.sandbox_notifier
        self._loop = asyncio.new_event_loop()
        self._server = _server(self.app, host, port)
        self._thread = threading.Thread(target=self._run, name=f"wechatpay-sandbox-{port}", daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._server.serve())

    def start(self, timeout: float = 15.0):
        self._thread.start()
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                opener.open(self.url + "/", timeout=1).read()
                return self
            except urllib.error.HTTPError:
                return self
            except OSError:
                if not self._thread.is_alive():
                    break
                time.sleep(0.05)
        raise RuntimeError(f"nothing answered on {self.url} (port taken?)")

    def stop(self) -> None:
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._server.stop)
            self._thread.join(10)


def demo_sandbox(hall, *, start: bool = True, echo=print) -> SandboxThread | None:
    """For ``hall demo``: secrets and sandbox.toml for the tenants that use the sandbox, then (``start``) the sandbox."""
    from urllib.parse import urlsplit

    from plugins.wechatpay.sandbox.prepare import ensure_sandbox, sandbox_tenants

    tenants = sandbox_tenants(hall)
    if not tenants:
        return None
    config, done = ensure_sandbox(hall)
    for line in done:
        echo(f"wechatpay sandbox: {line}")
    if not start:
        return None
    netloc = sorted({urlsplit(t.plugin_settings("wechatpay").gateway).netloc for t in tenants})[0]
    host, _, port = netloc.rpartition(":")
    try:
        sandbox = SandboxThread(load_config(config), host or "127.0.0.1", int(port or 80)).start()
    except (RuntimeError, OSError) as exc:
        echo(f"(wechatpay sandbox not started on {netloc}: {exc}; run `hall sandbox wechatpay` yourself)")
        return None
    echo(f"WeChat Pay sandbox (pay pages, notifications, query/refund/close, bills): {sandbox.url}/")
    return sandbox
