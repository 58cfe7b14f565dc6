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

BEIJING = ZoneInfo("Asia/Shanghai")  # Alipay's clock

SCHEMA = """
CREATE TABLE IF NOT EXISTS trades (
  app_id TEXT NOT NULL, out_trade_no TEXT NOT NULL, trade_no TEXT NOT NULL UNIQUE, subject TEXT NOT NULL,
  total_fen INTEGER NOT NULL, seller_id TEXT NOT NULL, method TEXT NOT NULL, notify_url TEXT NOT NULL, return_url TEXT NOT NULL,
  time_expire TEXT NOT NULL DEFAULT '', status TEXT NOT NULL, refunded_fen INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL, paid_at TEXT NOT NULL DEFAULT '', closed_at TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (app_id, out_trade_no));
CREATE TABLE IF NOT EXISTS refunds (
  app_id TEXT NOT NULL, out_trade_no TEXT NOT NULL, out_request_no TEXT NOT NULL, amount_fen INTEGER NOT NULL, created_at TEXT NOT NULL,
  PRIMARY KEY (app_id, out_trade_no, out_request_no));
CREATE TABLE IF NOT EXISTS notifications (
  id INTEGER PRIMARY KEY AUTOINCREMENT, app_id TEXT NOT NULL, out_trade_no TEXT NOT NULL, url TEXT NOT NULL, form TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0, next_at REAL, delivered_at REAL, last_answer TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS notifications_due ON notifications (next_at) WHERE next_at IS NOT NULL;
"""


def now_text() -> str:
    return datetime.now(BEIJING).strftime("%Y-%m-%d %H:%M:%S")  # Alipay's format and time zone


def locked(method):
    """One connection, used by the server's loop and by tests or the demo from other threads: one caller at a time."""

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

    # -- trades -------------------------------------------------------------
    @locked
    def trade(self, app_id: str, out_trade_no: str) -> dict | None:
        row = self.db.execute(
            "SELECT * FROM trades WHERE app_id=? AND out_trade_no=?", (app_id, out_trade_no)
        ).fetchone()
        return dict(row) if row else None

    @locked
    def by_trade_no(self, app_id: str, trade_no: str) -> dict | None:
        row = self.db.execute("SELECT * FROM trades WHERE app_id=? AND trade_no=?", (app_id, trade_no)).fetchone()
        return dict(row) if row else None

    @locked
    def latest(self, limit: int = 50) -> list[dict]:
        return [dict(r) for r in self.db.execute("SELECT * FROM trades ORDER BY created_at DESC LIMIT ?", (limit,))]

    @locked
    def open_trade(
        self,
        *,
        app_id: str,
        out_trade_no: str,
        subject: str,
        total_fen: int,
        seller_id: str,
        method: str,
        notify_url: str,
        return_url: str,
        time_expire: str,
    ) -> dict:
        """The trade as the customer sees it at the pay page: created once (WAIT_BUYER_PAY); a later page load keeps it."""
        trade_no = (
            datetime.now(BEIJING).strftime("%Y%m%d")
            + "22001"
            + "".join(secrets.choice("0123456789") for _ in range(15))
        )
        self.db.execute(
            "INSERT OR IGNORE INTO trades (app_id, out_trade_no, trade_no, subject, total_fen, seller_id, method, notify_url,"
            " return_url, time_expire, status, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,'WAIT_BUYER_PAY',?)",
            (
                app_id,
                out_trade_no,
                trade_no,
                subject,
                total_fen,
                seller_id,
                method,
                notify_url,
                return_url,
                time_expire,
                now_text(),
            ),
        )
        return self.trade(app_id, out_trade_no)

    @locked
    def finish(self, app_id: str, out_trade_no: str, status: str) -> dict | None:
        """WAIT_BUYER_PAY → TRADE_SUCCESS (paid) or TRADE_CLOSED; None when the trade was no longer waiting."""
        column = "paid_at" if status == "TRADE_SUCCESS" else "closed_at"
        cur = self.db.execute(
            f"UPDATE trades SET status=?, {column}=? WHERE app_id=? AND out_trade_no=? AND status='WAIT_BUYER_PAY'",
            (status, now_text(), app_id, out_trade_no),
        )
        return self.trade(app_id, out_trade_no) if cur.rowcount == 1 else None

    @locked
    def refund(self, app_id: str, out_trade_no: str, out_request_no: str, amount_fen: int) -> tuple[str, dict | None]:
        """("ok" | "repeated" | "no_trade" | "not_paid" | "too_much" | "other_amount", trade); idempotent by out_request_no."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            trade = self.trade(app_id, out_trade_no)
            if trade is None:
                return "no_trade", None
            done = self.db.execute(
                "SELECT amount_fen FROM refunds WHERE app_id=? AND out_trade_no=? AND out_request_no=?",
                (app_id, out_trade_no, out_request_no),
            ).fetchone()
            if done is not None:
                return ("repeated" if done["amount_fen"] == amount_fen else "other_amount"), trade
            if trade["status"] not in ("TRADE_SUCCESS", "TRADE_CLOSED") or not trade["paid_at"]:
                return "not_paid", trade
            if trade["refunded_fen"] + amount_fen > trade["total_fen"]:
                return "too_much", trade
            self.db.execute(
                "INSERT INTO refunds VALUES (?,?,?,?,?)", (app_id, out_trade_no, out_request_no, amount_fen, now_text())
            )
            full = trade["refunded_fen"] + amount_fen == trade["total_fen"]
            self.db.execute(
                "UPDATE trades SET refunded_fen = refunded_fen + ?, status = ?, closed_at = CASE WHEN ? THEN ? ELSE closed_at END"
                " WHERE app_id=? AND out_trade_no=?",
                (amount_fen, "TRADE_CLOSED" if full else trade["status"], full, now_text(), app_id, out_trade_no),
            )
            return "ok", self.trade(app_id, out_trade_no)
        finally:
            self.db.execute("COMMIT")

    @locked
    def day_activity(self, app_id: str, day: str) -> tuple[list[dict], list[dict]]:
        """(trades paid on the Beijing day ``day`` (YYYY-MM-DD), refunds made that day with their trade): the bill's rows."""
        paid = self.db.execute(
            "SELECT * FROM trades WHERE app_id=? AND paid_at LIKE ? ORDER BY paid_at, out_trade_no", (app_id, day + "%")
        )
        refunds = self.db.execute(
            "SELECT t.*, r.out_request_no, r.amount_fen, r.created_at AS refunded_at FROM refunds r JOIN trades t"
            " ON t.app_id = r.app_id AND t.out_trade_no = r.out_trade_no WHERE r.app_id=? AND r.created_at LIKE ?"
            " ORDER BY r.created_at, r.out_request_no",
            (app_id, day + "%"),
        )
        return [dict(r) for r in paid], [dict(r) for r in refunds]

    # -- notifications ------------------------------------------------------
    @locked
    def enqueue(self, app_id: str, out_trade_no: str, url: str, form: dict) -> None:
        self.db.execute(
            "INSERT INTO notifications (app_id, out_trade_no, url, form, next_at) VALUES (?,?,?,?,?)",
            (app_id, out_trade_no, url, json.dumps(form, ensure_ascii=False), time.time()),
        )

    @locked
    def due(self, now: float) -> list[dict]:
        rows = self.db.execute(
            "SELECT * FROM notifications WHERE next_at IS NOT NULL AND next_at <= ? ORDER BY next_at", (now,)
        )
        return [dict(r) | {"form": json.loads(r["form"])} for r in rows]

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
    def notifications(self, app_id: str, out_trade_no: str) -> list[dict]:
        rows = self.db.execute(
            "SELECT * FROM notifications WHERE app_id=? AND out_trade_no=? ORDER BY id", (app_id, out_trade_no)
        )
        return [dict(r) | {"form": json.loads(r["form"])} for r in rows]
