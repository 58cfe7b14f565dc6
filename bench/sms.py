"""SMS over SMPP: what one send costs through the real smpplib client against the local stand-in SMSC.

Each send is a whole session (connect, bind_transceiver, submit_sm per part, unbind), as
core/notify/sms/smpp.py does it. Prints one JSON line: median and 95th-percentile ms per
send for a one-part code and a three-part Chinese notice, and sends/s sequentially. The
stand-in answers at once, so this is the hall's own cost; a real SMSC adds its round trips.

    .venv/bin/python bench/sms.py [--sends 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.config.sms import SmppSettings  # noqa: E402
from core.notify.sms.base import Outgoing  # noqa: E402
from core.notify.sms.smpp import SmppChannel  # noqa: E402
from core.testing.smsc import StandInSmsc  # noqa: E402

CODE = "【江南电信】您正在重置江南电信网上营业厅的登录密码，验证码 123456，10 分钟内有效。"
NOTICE = "【江南电信】" + "您的报修单 GD20240001 已受理，维修人员将在两小时内与您联系，请保持电话畅通。" * 3


async def timings(channel: SmppChannel, text: str, sends: int) -> list[float]:
    out = []
    for n in range(sends):
        start = time.perf_counter()
        await channel.send(
            recipient="13800000001", subject="", body_text=text, message=Outgoing(n, "13800000001", text)
        )
        out.append((time.perf_counter() - start) * 1000)
    return out


def summary(ms: list[float]) -> dict:
    ms = sorted(ms)
    return {
        "median_ms": round(statistics.median(ms), 2),
        "p95_ms": round(ms[int(len(ms) * 0.95) - 1], 2),
        "sends_per_s": round(1000 * len(ms) / sum(ms), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sends", type=int, default=200)
    args = parser.parse_args()
    smsc = StandInSmsc(hold_receipts=True).start()
    channel = SmppChannel(
        SmppSettings(host="127.0.0.1", port=smsc.port, system_id="hall", source_addr="1065900010000"), "secret"
    )
    try:
        code = asyncio.run(timings(channel, CODE, args.sends))
        notice = asyncio.run(timings(channel, NOTICE, args.sends))
    finally:
        smsc.stop()
    print(
        json.dumps(
            {
                "bench": "sms_smpp",
                "sends": args.sends,
                "one_part_code": summary(code),
                "three_part_notice": summary(notice),
                "parts_submitted": len(smsc.submitted),
                "load_average": round(os.getloadavg()[0], 1),
            }
        )
    )


if __name__ == "__main__":
    main()
