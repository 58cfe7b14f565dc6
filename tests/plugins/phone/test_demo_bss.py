"""The demo BSS's interface program applies the hall's events: a reserved number leaves the free pool, a completed
installation opens the line and uses the number up, a long-distance switch changes the line (both demo styles)."""

from __future__ import annotations

import json
import sqlite3

import pytest

from core.demo.era import FIXED_END_MONTH
from core.demo.legacy_db import generate_legacy_db
from plugins.phone.demo import process_inbox

INBOX = {
    "jiangnan": "INSERT INTO JK_HXSJ (SJBH, SJLX, SJNR, JSSJ) VALUES (?, ?, ?, '20260314100000')",
    "haibin": "INSERT INTO INTF_HALL_INBOX (EVENT_ID, EVENT_TYPE, EVENT_BODY, RECV_TS) VALUES (?, ?, ?, 1)",
}
POOL = {
    "jiangnan": ("SELECT HM FROM ZY_XHHM WHERE ZT = '0' ORDER BY HM LIMIT 1", "SELECT ZT FROM ZY_XHHM WHERE HM = ?"),
    "haibin": (
        "SELECT ACC_NBR FROM RES_NBR_POOL WHERE NBR_STATE = 1 ORDER BY ACC_NBR LIMIT 1",
        "SELECT NBR_STATE FROM RES_NBR_POOL WHERE ACC_NBR = ?",
    ),
}
LINE = {
    "jiangnan": "SELECT KHBH, ZFBH, CTKT FROM YW_HMXX WHERE HM = ?",
    "haibin": "SELECT AREA_NO || '-' || CUST_SEQ, TARIFF_ID, LD_FLAG FROM CRM_SUBS WHERE ACC_NBR = ?",
}


@pytest.mark.parametrize("style", ["jiangnan", "haibin"])
def test_the_demo_bss_applies_holds_lines_and_switches(tmp_path, style):
    path = tmp_path / f"{style}.sqlite3"
    people = generate_legacy_db(path, end_month=FIXED_END_MONTH, subscribers=20, style=style, sample=1, pool=50)
    customer = people[0].legacy_id
    conn = sqlite3.connect(path)
    number = conn.execute(POOL[style][0]).fetchone()[0]
    tariff = "ZF005" if style == "jiangnan" else "9004"

    def event(event_id, kind, payload):
        with conn:
            conn.execute(INBOX[style], (event_id, kind, json.dumps(payload)))

    def status():
        return str(conn.execute(POOL[style][1], (number,)).fetchone()[0])

    free = status()
    event("e1", "number.reserved", {"number": number, "customer_id": customer})
    assert process_inbox(str(path), style) == 1 and status() != free
    order = {
        "process": "phone.install",
        "customer_id": customer,
        "items": [{"action": "add", "specification": "line", "number": number, "legacy_code": tariff}],
    }
    event("e2", "productOrder.completed", order)
    event("e3", "line.features.requested", {"number": number, "feature": "long_distance", "wanted": False})
    assert process_inbox(str(path), style) == 2
    assert process_inbox(str(path), style) == 0  # each event once
    owner, plan, long_distance = conn.execute(LINE[style], (number,)).fetchone()
    assert (owner, str(plan)) == (customer, tariff) and long_distance in ("N", 0)
    assert status() in ("2", "3")  # used up
    column, key = ("ZT", "HM") if style == "jiangnan" else ("SUBS_STATE", "ACC_NBR")
    table = "YW_HMXX" if style == "jiangnan" else "CRM_SUBS"

    def line_status():
        return str(conn.execute(f"SELECT {column} FROM {table} WHERE {key} = ?", (number,)).fetchone()[0])

    assert line_status() in ("A", "0")  # a new line is in service
    item = {"action": "modify", "change": "suspend", "specification": "line", "number": number}
    booked = {**item, "effective_at": "2999-01-01T00:00:00+00:00"}
    event("e4", "productOrder.completed", {"process": "phone.suspend", "items": [booked]})
    process_inbox(str(path), style)
    assert line_status() in ("A", "0")  # booked for later: the hall tells the BSS on the day (product.suspend)
    event("e5", "productOrder.completed", {"process": "phone.suspend", "items": [item]})
    process_inbox(str(path), style)
    assert line_status() in ("T", "1")
    event("e6", "product.resume", {"number": number})
    process_inbox(str(path), style)
    assert line_status() in ("A", "0")
    conn.close()
