"""The sandbox's pay page (plain HTML, zh_CN and en): the order, and buttons to pay or cancel."""

from __future__ import annotations

from html import escape

from plugins.alipay.money import fen_to_yuan

TEXT = {
    "zh_CN": {
        "title": "支付宝沙箱收银台",
        "note": "本地沙箱：不会真实扣款。",
        "order": "订单",
        "amount": "金额",
        "pay": "确认付款",
        "cancel": "取消付款",
        "paid": "该订单已付款。",
        "closed": "该交易已关闭。",
        "error": "支付请求有误",
        "back": "返回商户",
    },
    "en": {
        "title": "Alipay sandbox checkout",
        "note": "Local sandbox: no real money moves.",
        "order": "Order",
        "amount": "Amount",
        "pay": "Pay",
        "cancel": "Cancel",
        "paid": "This order is already paid.",
        "closed": "This trade is closed.",
        "error": "The payment request is wrong",
        "back": "Back to the merchant",
    },
}
STYLE = (
    "body{font-family:sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;color:#222}h1{color:#1677ff;font-size:1.4rem}"
    "dl{display:grid;grid-template-columns:auto 1fr;gap:.4rem 1rem}.amount{font-size:1.6rem;font-weight:bold}"
    "button{font-size:1.1rem;padding:.6rem 1.4rem;margin-right:.8rem;border:0;border-radius:4px;cursor:pointer}"
    ".pay{background:#1677ff;color:#fff}.cancel{background:#eee}.note{color:#666;font-size:.9rem}"
)


def language(accept_language: str | None, explicit: str | None = None) -> str:
    if explicit in TEXT:
        return explicit
    return "en" if (accept_language or "").lower().startswith("en") else "zh_CN"


def _page(lang: str, body: str, status_title: str = "") -> str:
    t = TEXT[lang]
    return (
        f'<!doctype html><html lang="{"zh-CN" if lang == "zh_CN" else "en"}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1"><title>{escape(status_title or t["title"])}</title>'
        f'<style>{STYLE}</style></head><body><h1>{escape(t["title"])}</h1><p class="note">{escape(t["note"])}</p>{body}</body></html>'
    )


def pay_page(trade: dict, lang: str) -> str:
    t = TEXT[lang]
    facts = (
        f'<dl><dt>{t["order"]}</dt><dd id="subject">{escape(trade["subject"])}</dd>'
        f'<dt>{t["amount"]}</dt><dd class="amount" id="amount">¥{fen_to_yuan(trade["total_fen"])}</dd></dl>'
    )
    if trade["status"] != "WAIT_BUYER_PAY":
        back = f'<p><a href="{escape(trade["return_url"])}">{t["back"]}</a></p>' if trade["return_url"] else ""
        return _page(lang, facts + f'<p id="state">{t["paid"] if trade["paid_at"] else t["closed"]}</p>' + back)
    hidden = "".join(
        f'<input type="hidden" name="{k}" value="{escape(v)}">'
        for k, v in (("app_id", trade["app_id"]), ("out_trade_no", trade["out_trade_no"]), ("lang", lang))
    )
    buttons = (
        f'<form method="post" action="/sandbox/pay">{hidden}'
        f'<button class="pay" type="submit" name="action" value="pay">{t["pay"]}</button>'
        f'<button class="cancel" type="submit" name="action" value="cancel">{t["cancel"]}</button></form>'
    )
    return _page(lang, facts + buttons)


def error_page(lang: str, sub_code: str, sub_msg: str) -> str:
    t = TEXT[lang]
    return _page(
        lang, f'<p id="error"><strong>{t["error"]}</strong>: {escape(sub_code)} — {escape(sub_msg)}</p>', t["error"]
    )
