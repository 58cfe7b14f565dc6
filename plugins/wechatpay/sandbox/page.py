"""The sandbox's pay page (plain HTML, zh_CN and en): what the customer sees after scanning the code or opening h5_url."""

from __future__ import annotations

from html import escape

TEXT = {
    "zh_CN": {
        "title": "微信支付沙箱",
        "note": "本地沙箱：不会真实扣款。",
        "order": "商品",
        "amount": "金额",
        "pay": "确认支付",
        "cancel": "取消支付",
        "paid": "支付成功。",
        "closed": "该订单已关闭。",
        "missing": "订单不存在或已过期。",
        "back": "返回商户",
    },
    "en": {
        "title": "WeChat Pay sandbox",
        "note": "Local sandbox: no real money moves.",
        "order": "Item",
        "amount": "Amount",
        "pay": "Confirm payment",
        "cancel": "Cancel",
        "paid": "Payment succeeded.",
        "closed": "This order is closed.",
        "missing": "No such order, or it has expired.",
        "back": "Back to the merchant",
    },
}
STYLE = (
    "body{font-family:sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;color:#222}h1{color:#07c160;font-size:1.4rem}"
    "dl{display:grid;grid-template-columns:auto 1fr;gap:.4rem 1rem}.amount{font-size:1.6rem;font-weight:bold}"
    "button{font-size:1.1rem;padding:.6rem 1.4rem;margin-right:.8rem;border:0;border-radius:4px;cursor:pointer}"
    ".pay{background:#07c160;color:#fff}.cancel{background:#eee}.note{color:#666;font-size:.9rem}"
)


def language(accept_language: str | None, explicit: str | None = None) -> str:
    if explicit in TEXT:
        return explicit
    return "en" if (accept_language or "").lower().startswith("en") else "zh_CN"


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def page(lang: str, body: str) -> str:
    t = TEXT[lang]
    return (
        f'<!doctype html><html lang="{"zh-CN" if lang == "zh_CN" else "en"}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1"><title>{t["title"]}</title>'
        f'<style>{STYLE}</style></head><body><h1>{t["title"]}</h1><p class="note">{t["note"]}</p>{body}</body></html>'
    )


def pay_page(trade: dict | None, lang: str, back: str = "") -> str:
    t = TEXT[lang]
    if trade is None:
        return page(lang, f'<p id="state">{t["missing"]}</p>')
    facts = (
        f'<dl><dt>{t["order"]}</dt><dd id="subject">{escape(trade["description"])}</dd>'
        f'<dt>{t["amount"]}</dt><dd class="amount" id="amount">¥{yuan(trade["total_fen"])}</dd></dl>'
    )
    link = f'<p><a href="{escape(back)}" id="back">{t["back"]}</a></p>' if back else ""
    if trade["state"] != "NOTPAY":
        return page(lang, facts + f'<p id="state">{t["paid"] if trade["success_time"] else t["closed"]}</p>' + link)
    hidden = "".join(
        f'<input type="hidden" name="{k}" value="{escape(v)}">'
        for k, v in (("token", trade["token"]), ("lang", lang), ("back", back))
    )
    return page(
        lang,
        facts + f'<form method="post" action="/sandbox/pay">{hidden}'
        f'<button class="pay" type="submit" name="action" value="pay" id="confirm">{t["pay"]}</button>'
        f'<button class="cancel" type="submit" name="action" value="cancel" id="cancel">{t["cancel"]}</button></form>',
    )
