"""The sandbox's automatic payment (代扣): the signing page, the dut_user_sign notification, agreement pay, unsign.

Agreements live beside the trades (the same SQLite file). ``refuse(agreement_no, sub_code)``
makes the next charges of an agreement fail as Alipay would (ACQ.BUYER_BALANCE_NOT_ENOUGH),
for tests and the demo; ``refuse(agreement_no, LOST)`` takes the money but answers a system error
(the hall sees a time-out; the trade's notification tells the truth later). A charge is a trade like any other: queried, refunded and notified
as such; its ``out_trade_no`` is unique, so a repeat is answered ACQ.TRADE_HAS_SUCCESS.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from html import escape

from plugins.alipay.money import yuan_to_fen
from plugins.alipay.sandbox.page import TEXT, _page
from plugins.alipay.sandbox.store import BEIJING, TradeStore, now_text
from plugins.alipay.signing import content, sign_text

SIGN_METHOD = "alipay.user.agreement.page.sign"
PAY_METHOD = "alipay.trade.pay"
UNSIGN_METHOD = "alipay.user.agreement.unsign"
BUYER_ID = "2088102177846880"
SCHEMA = """
CREATE TABLE IF NOT EXISTS agreements (
  app_id TEXT NOT NULL, external_agreement_no TEXT NOT NULL, agreement_no TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL, notify_url TEXT NOT NULL, return_url TEXT NOT NULL, logon_id TEXT NOT NULL DEFAULT '',
  refuse TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL, sign_time TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (app_id, external_agreement_no));
"""
FAIL = {"code": "40004", "msg": "Business Failed"}
LOST = "ANSWER_LOST"  # refuse(agreement_no, LOST): the charge is taken but answered with a system error
WORDS = {
    "zh_CN": {
        "sign_title": "签约支付宝代扣",
        "account": "扣款账户",
        "agree": "同意并签约",
        "decline": "不签约",
        "signed": "已签约，可以返回商户。",
        "ended": "该协议已解约。",
    },
    "en": {
        "sign_title": "Sign Alipay automatic payment",
        "account": "Account charged",
        "agree": "Agree and sign",
        "decline": "Do not sign",
        "signed": "Signed. You can go back to the merchant.",
        "ended": "This agreement has ended.",
    },
}


class AgreementStore:
    def __init__(self, store: TradeStore):
        self.store = store
        with store.lock:
            store.db.executescript(SCHEMA)

    def get(self, app_id: str, external_no: str = "", agreement_no: str = "") -> dict | None:
        with self.store.lock:
            where, key = ("external_agreement_no", external_no) if external_no else ("agreement_no", agreement_no)
            row = self.store.db.execute(
                f"SELECT * FROM agreements WHERE app_id=? AND {where}=?", (app_id, key)
            ).fetchone()
            return dict(row) if row else None

    def open(self, app_id: str, external_no: str, notify_url: str, return_url: str, logon_id: str) -> dict:
        number = (
            datetime.now(BEIJING).strftime("%Y%m%d") + "0000" + "".join(secrets.choice("0123456789") for _ in range(12))
        )
        with self.store.lock:
            self.store.db.execute(
                "INSERT OR IGNORE INTO agreements (app_id, external_agreement_no, agreement_no, status, notify_url,"
                " return_url, logon_id, created_at) VALUES (?,?,?,'TEMP',?,?,?,?)",
                (app_id, external_no, number, notify_url, return_url, logon_id, now_text()),
            )
        return self.get(app_id, external_no)

    def set_status(self, app_id: str, external_no: str, status: str, was: tuple[str, ...]) -> dict | None:
        with self.store.lock:
            cur = self.store.db.execute(
                f"UPDATE agreements SET status=?, sign_time=CASE WHEN ?='NORMAL' THEN ? ELSE sign_time END"
                f" WHERE app_id=? AND external_agreement_no=? AND status IN ({','.join('?' * len(was))})",
                (status, status, now_text(), app_id, external_no, *was),
            )
            return self.get(app_id, external_no) if cur.rowcount == 1 else None

    def refuse(self, agreement_no: str, sub_code: str = "ACQ.BUYER_BALANCE_NOT_ENOUGH") -> None:
        """The agreement's next charges fail with ``sub_code`` ("" lets them pass again)."""
        with self.store.lock:
            self.store.db.execute("UPDATE agreements SET refuse=? WHERE agreement_no=?", (sub_code, agreement_no))

    def pay(self, app_id: str, seller_id: str, biz: dict, notify_url: str) -> tuple[dict, dict | None]:
        """(answer body, the trade to notify about or None): one atomic decision per out_trade_no."""
        out_trade_no, subject = str(biz.get("out_trade_no", "")), str(biz.get("subject", ""))
        number = str((biz.get("agreement_params") or {}).get("agreement_no", ""))
        try:
            total_fen = yuan_to_fen(str(biz.get("total_amount", "")))
        except ValueError:
            return FAIL | {"sub_code": "ACQ.INVALID_PARAMETER", "sub_msg": "total_amount 格式错误"}, None
        db = self.store.db
        with self.store.lock:
            db.execute("BEGIN IMMEDIATE")
            try:
                trade = self.store.trade(app_id, out_trade_no)
                if trade is not None:
                    if trade["status"] == "TRADE_SUCCESS":
                        return FAIL | {"sub_code": "ACQ.TRADE_HAS_SUCCESS", "sub_msg": "交易已被支付"}, None
                    return FAIL | {"sub_code": "ACQ.TRADE_HAS_CLOSE", "sub_msg": "交易已经关闭"}, None
                agreement = self.get(app_id, agreement_no=number)
                if agreement is None or agreement["status"] != "NORMAL":
                    return FAIL | {"sub_code": "ACQ.AGREEMENT_NOT_EXIST", "sub_msg": "代扣协议不存在或已解约"}, None
                if agreement["refuse"] and agreement["refuse"] != LOST:
                    return FAIL | {"sub_code": agreement["refuse"], "sub_msg": "买家余额不足"}, None
                trade = self.store.open_trade(
                    app_id=app_id,
                    out_trade_no=out_trade_no,
                    subject=subject or out_trade_no,
                    total_fen=total_fen,
                    seller_id=seller_id,
                    method=PAY_METHOD,
                    notify_url=notify_url,
                    return_url="",
                    time_expire="",
                )
                db.execute(
                    "UPDATE trades SET status='TRADE_SUCCESS', paid_at=? WHERE app_id=? AND out_trade_no=?",
                    (now_text(), app_id, out_trade_no),
                )
                trade = self.store.trade(app_id, out_trade_no)
            finally:
                db.execute("COMMIT")
        if agreement["refuse"] == LOST:  # the money is taken, the answer is a system error (as if it timed out)
            return {"code": "20000", "msg": "Service Currently Unavailable", "sub_code": "aop.ACQ.SYSTEM_ERROR"}, trade
        answer = {
            "code": "10000",
            "msg": "Success",
            "trade_no": trade["trade_no"],
            "out_trade_no": out_trade_no,
            "buyer_logon_id": "buy***@sandbox.com",
            "total_amount": biz.get("total_amount"),
            "receipt_amount": biz.get("total_amount"),
            "gmt_payment": trade["paid_at"],
            "buyer_user_id": BUYER_ID,
        }
        return answer, trade


def sign_notification(private_key, app_id: str, agreement: dict) -> dict[str, str]:
    """What Alipay posts to the signing's notify_url: dut_user_sign (NORMAL) or dut_user_unsign (UNSIGN)."""
    form = {
        "notify_time": now_text(),
        "notify_type": "dut_user_sign" if agreement["status"] == "NORMAL" else "dut_user_unsign",
        "notify_id": secrets.token_hex(16),
        "app_id": app_id,
        "charset": "utf-8",
        "version": "1.0",
        "external_agreement_no": agreement["external_agreement_no"],
        "agreement_no": agreement["agreement_no"],
        "status": agreement["status"],
        "alipay_user_id": BUYER_ID,
        "personal_product_code": "CYCLE_PAY_AUTH_P",
        "sign_scene": "INDUSTRY|COMMUNICATION",
        "sign_time": agreement["sign_time"],
        "external_logon_id": agreement["logon_id"],
    }
    form = {k: v for k, v in form.items() if v}
    return form | {"sign_type": "RSA2", "sign": sign_text(private_key, content(form, exclude=("sign", "sign_type")))}


def sign_page(agreement: dict, lang: str) -> str:
    t = TEXT[lang] | WORDS[lang]
    facts = f'<h2>{t["sign_title"]}</h2><dl><dt>{t["account"]}</dt><dd id="account">{escape(agreement["logon_id"])}</dd></dl>'
    if agreement["status"] != "TEMP":
        back = f'<p><a href="{escape(agreement["return_url"])}">{t["back"]}</a></p>' if agreement["return_url"] else ""
        state = t["signed"] if agreement["status"] == "NORMAL" else t["ended"]
        return _page(lang, facts + f'<p id="state">{state}</p>' + back)
    hidden = "".join(
        f'<input type="hidden" name="{k}" value="{escape(v)}">'
        for k, v in (
            ("app_id", agreement["app_id"]),
            ("external_agreement_no", agreement["external_agreement_no"]),
            ("lang", lang),
        )
    )
    return _page(
        lang,
        facts + f'<form method="post" action="/sandbox/sign">{hidden}'
        f'<button class="pay" type="submit" name="action" value="agree">{t["agree"]}</button>'
        f'<button class="cancel" type="submit" name="action" value="decline">{t["decline"]}</button></form>',
    )
