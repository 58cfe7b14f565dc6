"""The sandbox's trades, refunds and pending notifications in one SQLite file, so a restart loses nothing."""

from __future__ import annotations

import functools
import json
import secrets
import sqlite3
import threading
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")  # WeChat Pay's clock

SCHEMA = """
CREATE TABLE IF NOT EXISTS trades (
  mchid TEXT NOT NULL, out_trade_no TEXT NOT NULL, appid TEXT NOT NULL, transaction_id TEXT NOT NULL UNIQUE,
  token TEXT NOT NULL UNIQUE, description TEXT NOT NULL, total_fen INTEGER NOT NULL, trade_type TEXT NOT NULL,
  notify_url TEXT NOT NULL, time_expire TEXT NOT NULL DEFAULT '', state TEXT NOT NULL, refunded_fen INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL, success_time TEXT NOT NULL DEFAULT '', PRIMARY KEY (mchid, out_trade_no));
CREATE TABLE IF NOT EXISTS refunds (
  mchid TEXT NOT NULL, out_refund_no TEXT NOT NULL, out_trade_no TEXT NOT NULL, refund_id TEXT NOT NULL,
  amount_fen INTEGER NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (mchid, out_refund_no));
CREATE TABLE IF NOT EXISTS notifications (
  id INTEGER PRIMARY KEY AUTOINCREMENT, mchid TEXT NOT NULL, out_trade_no TEXT NOT NULL, url TEXT NOT NULL,
  event TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_at REAL, delivered_at REAL,
  last_answer TEXT NOT NULL DEFAULT '');
"""


def now_text() -> str:
    """RFC 3339 in Beijing time, as WeChat Pay writes times."""
    return datetime.now(BEIJING).isoformat(timespec="seconds")


def _digits(n: int) -> str:
    return "".join(secrets.choice("0123456789") for _ in range(n))


def locked(method):
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self.lock:
            return method(self, *args, **kwargs)

    return wrapper


class TradeStore:
    def __init__(self, path: Path):
        self.lock = threading.RLock()
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript(SCHEMA)

    @locked
    def close(self) -> None:
        self.db.close()

    @locked
    def trade(self, mchid: str, out_trade_no: str) -> dict | None:
        row = self.db.execute("SELECT * FROM trades WHERE mchid=? AND out_trade_no=?", (mchid, out_trade_no)).fetchone()
        return dict(row) if row else None

    @locked
    def by_token(self, token: str) -> dict | None:
        row = self.db.execute("SELECT * FROM trades WHERE token=?", (token,)).fetchone()
        return dict(row) if row else None

    @locked
    def latest(self, limit: int = 50) -> list[dict]:
        return [dict(r) for r in self.db.execute("SELECT * FROM trades ORDER BY created_at DESC LIMIT ?", (limit,))]

    @locked
    def trades_of_day(self, mchid: str, day: str) -> list[dict]:
        """Trades paid (success_time) on one Beijing day, ``YYYY-MM-DD``."""
        rows = self.db.execute(
            "SELECT * FROM trades WHERE mchid=? AND success_time LIKE ? ORDER BY success_time", (mchid, day + "%")
        )
        return [dict(r) for r in rows]

    @locked
    def refunds_of(self, mchid: str, out_trade_no: str) -> list[dict]:
        rows = self.db.execute(
            "SELECT * FROM refunds WHERE mchid=? AND out_trade_no=? ORDER BY created_at", (mchid, out_trade_no)
        )
        return [dict(r) for r in rows]

    @locked
    def open_trade(self, **trade) -> dict:
        """Created once (NOTPAY); the same out_trade_no again keeps the first."""
        self.db.execute(
            "INSERT OR IGNORE INTO trades (mchid, out_trade_no, appid, transaction_id, token, description, total_fen,"
            " trade_type, notify_url, time_expire, state, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,'NOTPAY',?)",
            (
                trade["mchid"],
                trade["out_trade_no"],
                trade["appid"],
                "42000" + datetime.now(BEIJING).strftime("%Y%m%d") + _digits(15),
                secrets.token_urlsafe(16),
                trade["description"],
                trade["total_fen"],
                trade["trade_type"],
                trade["notify_url"],
                trade["time_expire"],
                now_text(),
            ),
        )
        return self.trade(trade["mchid"], trade["out_trade_no"])

    @locked
    def finish(self, mchid: str, out_trade_no: str, state: str) -> dict | None:
        """NOTPAY → SUCCESS (paid) or CLOSED; None when it was no longer waiting."""
        cur = self.db.execute(
            "UPDATE trades SET state=?, success_time=CASE WHEN ?='SUCCESS' THEN ? ELSE success_time END"
            " WHERE mchid=? AND out_trade_no=? AND state='NOTPAY'",
            (state, state, now_text(), mchid, out_trade_no),
        )
        return self.trade(mchid, out_trade_no) if cur.rowcount == 1 else None

    @locked
    def refund(self, mchid: str, out_trade_no: str, out_refund_no: str, amount_fen: int) -> tuple[str, dict | None]:
        """("ok" | "repeated" | "no_trade" | "not_paid" | "too_much" | "other_amount", refund); idempotent by out_refund_no."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            trade = self.trade(mchid, out_trade_no)
            if trade is None:
                return "no_trade", None
            done = self.db.execute(
                "SELECT * FROM refunds WHERE mchid=? AND out_refund_no=?", (mchid, out_refund_no)
            ).fetchone()
            if done is not None:
                ok = done["amount_fen"] == amount_fen and done["out_trade_no"] == out_trade_no
                return ("repeated" if ok else "other_amount"), dict(done)
            if trade["state"] not in ("SUCCESS", "REFUND"):
                return "not_paid", None
            if trade["refunded_fen"] + amount_fen > trade["total_fen"]:
                return "too_much", None
            self.db.execute(
                "INSERT INTO refunds VALUES (?,?,?,?,?,'SUCCESS',?)",
                (mchid, out_refund_no, out_trade_no, "50300" + _digits(23), amount_fen, now_text()),
            )
            self.db.execute(
                "UPDATE trades SET refunded_fen = refunded_fen + ?, state='REFUND' WHERE mchid=? AND out_trade_no=?",
                (amount_fen, mchid, out_trade_no),
            )
            row = self.db.execute("SELECT * FROM refunds WHERE mchid=? AND out_refund_no=?", (mchid, out_refund_no))
            return "ok", dict(row.fetchone())
        finally:
            self.db.execute("COMMIT")

    # -- notifications ------------------------------------------------------
    @locked
    def enqueue(self, mchid: str, out_trade_no: str, url: str, event: dict) -> None:
        self.db.execute(
            "INSERT INTO notifications (mchid, out_trade_no, url, event, next_at) VALUES (?,?,?,?,?)",
            (mchid, out_trade_no, url, json.dumps(event, ensure_ascii=False), time.time()),
        )

    @locked
    def due(self, now: float) -> list[dict]:
        rows = self.db.execute(
            "SELECT * FROM notifications WHERE next_at IS NOT NULL AND next_at <= ? ORDER BY next_at", (now,)
        )
        return [dict(r) | {"event": json.loads(r["event"])} for r in rows]

    @locked
    def next_due(self) -> float | None:
        return self.db.execute("SELECT MIN(next_at) FROM notifications WHERE next_at IS NOT NULL").fetchone()[0]

    @locked
    def attempted(self, notification_id: int, answer: str, *, delivered: bool, next_at: float | None) -> None:
        self.db.execute(
            "UPDATE notifications SET attempts = attempts + 1, last_answer = ?, delivered_at = ?, next_at = ? WHERE id = ?",
            (answer[:200], time.time() if delivered else None, None if delivered else next_at, notification_id),
        )

    @locked
    def notifications(self, mchid: str, out_trade_no: str) -> list[dict]:
        rows = self.db.execute(
            "SELECT * FROM notifications WHERE mchid=? AND out_trade_no=? ORDER BY id", (mchid, out_trade_no)
        )
        return [dict(r) | {"event": json.loads(r["event"])} for r in rows]
