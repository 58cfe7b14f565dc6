"""`hall sandbox alipay` on its own: first run writes the keys and sandbox.toml, then the gateway answers on its port."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import tomllib
import urllib.request

from alipay_support import fetch
from core.testing import TenantSpec, write_hall
from core.testing.harness import REPO
from plugins.alipay.sandbox.runner import _free_port
from plugins.alipay.testkit import tenant_settings


def test_hall_sandbox_alipay_prepares_and_serves(tmp_path):
    port = _free_port("127.0.0.1")
    gateway = f"http://127.0.0.1:{port}/gateway.do"
    spec = TenantSpec(
        "alpha", connector={}, payments={"providers": ["alipay"]}, plugin_settings=tenant_settings(gateway)
    )
    config = write_hall(tmp_path, [spec], database_url=f"sqlite:///{tmp_path}/hall.sqlite3")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALL_")} | {"PYTHONUNBUFFERED": "1"}
    child = subprocess.Popen(
        [sys.executable, "-m", "core.cli", "--config", str(config), "sandbox", "alipay", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        for _ in range(600):
            try:
                listing = opener.open(f"http://127.0.0.1:{port}/", timeout=1).read().decode()
                break
            except OSError:
                assert child.poll() is None, child.stdout.read()
                time.sleep(0.05)
        else:
            raise AssertionError("the sandbox never answered")
        assert listing.startswith("Alipay sandbox: 1 app(s)")
        status, _, page = fetch(gateway + "?method=alipay.trade.page.pay&app_id=2021000000000001&sign_type=RSA2&sign=x")
        assert status == 400 and "isv.invalid-signature" in page
    finally:
        os.killpg(child.pid, signal.SIGTERM)
        output = child.communicate(timeout=20)[0]
    assert f"Alipay sandbox on {gateway} for alpha" in output
    secrets = tomllib.loads((tmp_path / ".secrets.toml").read_text())
    assert secrets["alipay"]["alpha"]["app_private_key_file"] == "var/alipay-sandbox/alpha-app-private.pem"
    assert (tmp_path / "var" / "alipay-sandbox" / "sandbox.toml").is_file()
