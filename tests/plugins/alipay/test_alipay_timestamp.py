"""Requests are stamped in Beijing time whatever the server's zone; the sandbox, like Alipay, refuses a stamp far from it.

python-alipay-sdk stamps ``timestamp`` with ``datetime.now()``: on a UTC server that
is 8 hours behind Beijing time and Alipay answers isv.invalid-timestamp. The
signing runs here in subprocesses with ``TZ`` set (UTC, New York, Shanghai), and
each one then queries a running sandbox over HTTP.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from alipay_support import APP_ID, SELLER_ID, key_pairs, start_sandbox
from plugins.alipay.sandbox.protocol import GatewayRefusal, check_timestamp

BEIJING = ZoneInfo("Asia/Shanghai")
TESTS = Path(__file__).resolve().parent
REPO = TESTS.parents[2]

SCRIPT = textwrap.dedent("""
    import asyncio, json, sys, time
    time.tzset()
    sys.path[:0] = [{tests!r}, {repo!r}]
    from alipay import AliPay
    from plugins.alipay.keys import AlipayKeys
    from plugins.alipay.provider import AlipayProvider
    from plugins.alipay.settings import AlipaySettings
    given = json.loads(sys.stdin.read())  # the parent's key pairs: the sandbox knows only those
    settings = AlipaySettings(app_id=given["app_id"], seller_id=given["seller_id"], gateway={gateway!r}, timeout_seconds=5)
    provider = AlipayProvider(settings, AlipayKeys(app_private_key=given["private"], alipay_public_key=given["public"]))
    stock = AliPay.build_body(provider.client, "alipay.trade.query", {{"out_trade_no": "x"}})["timestamp"]
    ours = provider.client.build_body("alipay.trade.query", {{"out_trade_no": "x"}})["timestamp"]
    answer = asyncio.run(provider.query("pi_never_made")).status
    print(json.dumps({{"stock": stock, "ours": ours, "answer": answer, "offset": time.strftime("%z")}}))
""")


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    running = start_sandbox(tmp_path_factory.mktemp("sandbox"))
    yield running
    running.stop()


def _beijing(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Asia/Shanghai"])
def test_requests_are_stamped_in_beijing_time_on_a_server_in_any_zone(sandbox, zone):
    env = {**os.environ, "TZ": zone}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(tests=str(TESTS), repo=str(REPO), gateway=sandbox.gateway)],
        env=env,
        capture_output=True,
        text=True,
        cwd=REPO,
        input=json.dumps(
            {
                "app_id": APP_ID,
                "seller_id": SELLER_ID,
                "private": key_pairs().merchant_private,
                "public": key_pairs().sandbox_public,
            }
        ),
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    now = dt.datetime.now(dt.timezone.utc)  # Beijing time computed here, independently of the child's zone
    assert abs(_beijing(seen["ours"]) - now) < dt.timedelta(minutes=2), seen
    assert seen["answer"] == "unknown", (
        "the sandbox took the signed query (no trade of that id), it did not refuse the timestamp"
    )
    expected_offset = dt.datetime.now(ZoneInfo(zone)).strftime("%z")
    assert seen["offset"] == expected_offset, "the child really ran in that zone"
    stock_error = abs(_beijing(seen["stock"]) - now)
    if zone != "Asia/Shanghai":
        assert stock_error > dt.timedelta(hours=1), "the SDK's own stamp is the local time: the bug this fixes"


def test_the_sandbox_refuses_a_stamp_hours_off_like_alipay():
    now = dt.datetime.now(BEIJING)
    check_timestamp(now.strftime("%Y-%m-%d %H:%M:%S"))
    check_timestamp((now - dt.timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M:%S"))
    utc_stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")  # what a UTC server's SDK sends
    for bad in (utc_stamp, (now + dt.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S"), "yesterday", ""):
        with pytest.raises(GatewayRefusal) as refused:
            check_timestamp(bad)
        assert refused.value.body["sub_code"] == "isv.invalid-timestamp"
