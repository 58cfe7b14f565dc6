"""The demo BSS's interface program (接口处理程序), for ``hall demo`` and the tests: what a real BSS does with the
events the hall writes into its inbox table, done on the demo legacy databases (core/demo, SQLite files).

- ``number.reserved`` / ``number.released``: the pool number becomes reserved (预占) / free again;
- ``productOrder.completed`` of an installation (process ``phone.install``): the new line is opened in the
  lines table with the plan's tariff, and the pool number is used up;
- ``line.features.requested``: long-distance / international switched on the line;
- a line suspended, resumed or ended - ``productOrder.completed`` of a service order whose change is due, or
  ``product.suspend`` / ``.resume`` / ``.terminate`` of a booked one taking effect: the line's status.

Each inbox row is processed once (its status column: jiangnan ``CLZT`` '0' → '1', haibin ``PROC_STATE`` 0 → 1).
A real BSS has its own program; the hall only writes the events (docs/phone.md).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
import time
import zoneinfo

BSS_ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")  # the demo BSS stamps its dates in Beijing time

STYLES = {
    "jiangnan": {
        "inbox": "SELECT SJBH, SJLX, SJNR FROM JK_HXSJ WHERE CLZT = '0' ORDER BY rowid",
        "done": "UPDATE JK_HXSJ SET CLZT = '1' WHERE SJBH = ?",
        "pool": "UPDATE ZY_XHHM SET ZT = ? WHERE HM = ?",
        "states": {"free": "0", "reserved": "1", "taken": "2"},
        "flags": ("CTKT", "GJKT", "Y", "N"),
        "lines": "YW_HMXX",
        "status": ("ZT", "HM", {"active": "A", "suspended": "T", "closed": "X"}),
    },
    "haibin": {
        "inbox": "SELECT EVENT_ID, EVENT_TYPE, EVENT_BODY FROM INTF_HALL_INBOX WHERE PROC_STATE = 0 ORDER BY SEQ_ID",
        "done": "UPDATE INTF_HALL_INBOX SET PROC_STATE = 1 WHERE EVENT_ID = ?",
        "pool": "UPDATE RES_NBR_POOL SET NBR_STATE = ? WHERE ACC_NBR = ?",
        "states": {"free": 1, "reserved": 2, "taken": 3},
        "flags": ("LD_FLAG", "IDD_FLAG", 1, 0),
        "lines": "CRM_SUBS",
        "status": ("SUBS_STATE", "ACC_NBR", {"active": 0, "suspended": 1, "closed": 9}),
    },
}


def _open_line(conn: sqlite3.Connection, style: str, order: dict) -> None:
    item = next(
        (i for i in order.get("items", []) if i.get("action") == "add" and i.get("specification") == "line"), None
    )
    if item is None:
        return
    number, tariff = item["number"], item.get("legacy_code") or ""
    today = dt.datetime.now(BSS_ZONE).date()  # the demo BSS keeps Beijing dates, whatever the machine's zone
    mobile = (item.get("params") or {}).get("number_kind", "mobile") == "mobile" or number.startswith("1")
    if style == "jiangnan":
        conn.execute(
            "INSERT OR IGNORE INTO YW_HMXX (HM, KHBH, LX, ZFBH, ZT, KTRQ, CTKT, GJKT) VALUES (?,?,?,?,?,?,?,?)",
            (number, order["customer_id"], "YD" if mobile else "GH", tariff, "A", f"{today:%Y%m%d}", "Y", "N"),
        )
    else:
        area, _, seq = order["customer_id"].partition("-")
        conn.execute(
            "INSERT OR IGNORE INTO CRM_SUBS (ACC_NBR, AREA_NO, CUST_SEQ, PROD_TYPE, TARIFF_ID, SUBS_STATE, OPEN_TS,"
            " LD_FLAG, IDD_FLAG) VALUES (?,?,?,?,?,?,?,?,?)",
            (
                number,
                area,
                int(seq or 0),
                11 if mobile else 10,
                int(tariff) if tariff.isdigit() else None,
                STYLES["haibin"]["status"][2]["active"],
                int(time.time()),
                1,
                0,
            ),
        )
    st = STYLES[style]
    conn.execute(st["pool"], (st["states"]["taken"], number))


STATUS_OF = {"suspend": "suspended", "resume": "active", "terminate": "closed", "delete": "closed"}


def _set_status(conn: sqlite3.Connection, style: str, number: str, what: str) -> None:
    column, key, codes = STYLES[style]["status"]
    conn.execute(
        f"UPDATE {STYLES[style]['lines']} SET {column} = ? WHERE {key} = ?",  # noqa: S608 - names are ours
        (codes[STATUS_OF[what]], number),
    )


def _service_done(conn: sqlite3.Connection, style: str, order: dict) -> None:
    """A completed service order: the change of each item that is due now (a booked one comes as product.*)."""
    now = dt.datetime.now(dt.timezone.utc)
    for item in order.get("items", []):
        what = item.get("change") or item.get("action")
        due = not item.get("effective_at") or dt.datetime.fromisoformat(item["effective_at"]) <= now
        if what in STATUS_OF and due and item.get("specification") == "line":
            _set_status(conn, style, item["number"], what)


def process_inbox(path: str, style: str) -> int:
    """Apply every unprocessed inbox event of the demo BSS at ``path``; how many were processed."""
    st = STYLES[style]
    conn = sqlite3.connect(path, timeout=10)
    try:
        with conn:
            rows = conn.execute(st["inbox"]).fetchall()
            for event_id, kind, body in rows:
                payload = json.loads(body or "{}")
                if kind == "number.reserved":
                    conn.execute(st["pool"], (st["states"]["reserved"], payload["number"]))
                elif kind == "number.released":
                    conn.execute(st["pool"], (st["states"]["free"], payload["number"]))
                elif kind == "productOrder.completed" and payload.get("process") == "phone.install":
                    _open_line(conn, style, payload)
                elif kind == "productOrder.completed":
                    _service_done(conn, style, payload)
                elif kind in ("product.suspend", "product.resume", "product.terminate"):
                    _set_status(conn, style, payload["number"], kind.split(".", 1)[1])
                elif kind == "line.features.requested":
                    ld, idd, yes, no = st["flags"]
                    key = "HM" if style == "jiangnan" else "ACC_NBR"
                    column = ld if payload["feature"] == "long_distance" else idd
                    conn.execute(
                        f"UPDATE {st['lines']} SET {column} = ? WHERE {key} = ?",  # noqa: S608 - names are ours
                        (yes if payload["wanted"] else no, payload["number"]),
                    )
                conn.execute(st["done"], (event_id,))
        return len(rows)
    finally:
        conn.close()


def demo_databases(hall) -> list[tuple[str, str]]:
    """(SQLite path, style) of every tenant whose connector is a demo BSS of a style this program knows."""
    from pathlib import Path

    from core.api.db import parse_database_url

    out = []
    for tenant in hall.tenants:
        cfg = tenant.connector or {}
        style, url = cfg.get("demo_style", ""), cfg.get("url", "")
        if style in STYLES and url.startswith("sqlite:") and "phone" in tenant.plugins:
            path = Path(parse_database_url(url).path)
            out.append((str(path if path.is_absolute() else Path(hall.root) / path), style))
    return out


class _Loop:
    def __init__(self, targets):
        self.targets, self.stopped = targets, threading.Event()
        self.thread = threading.Thread(target=self.run, name="demo-bss-inbox", daemon=True)

    def run(self):
        while not self.stopped.wait(2):
            for path, style in self.targets:
                try:
                    process_inbox(path, style)
                except sqlite3.Error:
                    pass  # the file is busy or being rebuilt: the next round takes it

    def stop(self):
        self.stopped.set()


def inbox_service(hall, start: bool, echo):
    targets = demo_databases(hall)
    if not targets:
        return None
    echo(f"Demo BSS interface program: applies number holds, new lines and long-distance switches ({len(targets)} BSS)")
    if not start:
        return None
    loop = _Loop(targets)
    loop.thread.start()
    return loop
