"""Serving the sandbox with granian's embedded server: in the foreground (the command) or on a thread (demo, tests)."""

from __future__ import annotations

import asyncio
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from plugins.alipay.sandbox.app import build_app
from plugins.alipay.sandbox.config import SandboxConfig, load_config


def _server(app, host: str, port: int):
    from granian.constants import Interfaces
    from granian.server.embed import Server

    return Server(app, address=host, port=port, interface=Interfaces.ASGI, log_enabled=False)


def serve(config_file: Path, host: str, port: int, retry_scale: float | None = None) -> None:
    app = build_app(load_config(config_file, retry_scale=retry_scale))
    asyncio.run(_server(app, host, port).serve())


def _free_port(host: str) -> int:
    import socket

    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class ServerThread:
    """An ASGI app served by granian on a background thread with its own event loop: ``.url``; ``start()``, ``stop()``."""

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0):
        self.app = app
        self.port = port or _free_port(host)
        self.url = f"http://{host}:{self.port}"
        self._loop = asyncio.new_event_loop()
        self._server = _server(app, host, self.port)
        self._thread = threading.Thread(target=self._run, name=f"asgi-{self.port}", daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._server.serve())

    def start(self, timeout: float = 15.0, probe: str = "/"):
        self._thread.start()
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                opener.open(self.url + probe, timeout=1).read()
                return self
            except urllib.error.HTTPError:
                return self  # it answers
            except OSError:
                if not self._thread.is_alive():
                    break
                time.sleep(0.05)
        raise RuntimeError(f"nothing answered on {self.url} (port taken?)")

    def stop(self) -> None:
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._server.stop)
            self._thread.join(10)


class SandboxThread(ServerThread):
    """The sandbox on a background thread: ``.gateway``, ``.store``, ``.notifier`` besides ``.url``."""

    def __init__(self, config: SandboxConfig, host: str = "127.0.0.1", port: int = 0):
        super().__init__(build_app(config), host, port)
        self.gateway = self.url + "/gateway.do"
        self.store = self.app.state.sandbox_store
        self.notifier = self.app.state.sandbox_notifier
        self.agreements = self.app.state.sandbox_agreements


def demo_sandbox(hall, *, start: bool = True, echo=print) -> SandboxThread | None:
    """For ``hall demo``: keys and sandbox.toml for the tenants that use the sandbox, then (``start``) the sandbox on a thread.

    It listens where the tenants' ``gateway`` points (http://127.0.0.1:8020 in the
    demo tenants); a busy port is reported, not fatal, like the demo's mail sink.
    """
    from urllib.parse import urlsplit

    from plugins.alipay.sandbox.prepare import ensure_sandbox, sandbox_tenants

    tenants = sandbox_tenants(hall)
    if not tenants:
        return None
    config, done = ensure_sandbox(hall)
    for line in done:
        echo(f"alipay sandbox: {line}")
    if not start:
        return None
    where = {urlsplit(t.plugin_settings("alipay").gateway).netloc for t in tenants}
    netloc = sorted(where)[0]
    if len(where) > 1:
        echo(f"(alipay sandbox: tenants point at several gateways {sorted(where)}; serving {netloc} only)")
    host, _, port = netloc.rpartition(":")
    try:
        sandbox = SandboxThread(load_config(config), host or "127.0.0.1", int(port or 80)).start()
    except (RuntimeError, OSError) as exc:
        echo(f"(alipay sandbox not started on {netloc}: {exc}; run `hall sandbox alipay` yourself)")
        return None
    echo(
        f"Alipay sandbox (pay pages, notifications, query/refund/close): {sandbox.url}/ for {', '.join(t.id for t in tenants)}"
    )
    return sandbox
