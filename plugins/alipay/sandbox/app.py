"""The sandbox as a Litestar app: GET/POST /gateway.do (every method), POST /sandbox/pay (the customer's choice), bill downloads."""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import urlencode

from litestar import Litestar, Request, Response, get, post, route
from litestar.status_codes import HTTP_303_SEE_OTHER

from plugins.alipay.bill import BILL_METHOD
from plugins.alipay.sandbox.agreements import (
    PAY_METHOD,
    SIGN_METHOD,
    UNSIGN_METHOD,
    AgreementStore,
    sign_notification,
    sign_page,
)
from plugins.alipay.sandbox.bill import Bills
from plugins.alipay.sandbox.config import SandboxConfig
from plugins.alipay.sandbox.notifier import Notifier
from plugins.alipay.sandbox.page import error_page, language, pay_page
from plugins.alipay.sandbox.protocol import (
    API_METHODS,
    PAGE_METHODS,
    GatewayRefusal,
    api_call,
    authenticate,
    open_page_trade,
    return_params,
    signed_answer,
    unsigned_answer,
)
from plugins.alipay.sandbox.store import TradeStore

HTML = "text/html; charset=utf-8"
JSON = "application/json; charset=utf-8"


def build_app(config: SandboxConfig) -> Litestar:
    store = TradeStore(config.database)
    notifier = Notifier(config, store)
    bills = Bills()
    agreements = AgreementStore(store)
    tasks: list[asyncio.Task] = []

    @route("/gateway.do", http_method=["GET", "POST"], status_code=200)
    async def gateway(request: Request) -> Response:
        params = {k: v for k, v in request.query_params.items()}
        if request.method == "POST":
            params |= {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        method = params.get("method", "")
        page = method in PAGE_METHODS or method == SIGN_METHOD
        lang = language(request.headers.get("accept-language"))
        try:
            method, biz = authenticate(config, params)
            if method == SIGN_METHOD:
                return Response(sign_page(_open_agreement(params, biz), lang), media_type=HTML)
            if page:
                return Response(pay_page(open_page_trade(config, store, params, method, biz), lang), media_type=HTML)
            if method not in (*API_METHODS, BILL_METHOD, PAY_METHOD, UNSIGN_METHOD):
                raise GatewayRefusal("isv.invalid-method", f"不存在的方法名 {method}")
        except GatewayRefusal as refusal:
            if page:
                return Response(
                    error_page(lang, refusal.body["sub_code"], refusal.body["sub_msg"]),
                    media_type=HTML,
                    status_code=400,
                )
            return Response(unsigned_answer(method, refusal.body), media_type=JSON)
        if method in (PAY_METHOD, UNSIGN_METHOD):
            answer = _agreement_call(params, method, biz)
        elif method == BILL_METHOD:
            app_id, base = params["app_id"], f"{request.url.scheme}://{request.url.netloc}"
            answer = bills.query(store, app_id, config.apps[app_id].seller_id, biz, base)
        else:
            answer = api_call(store, notifier.send, params["app_id"], method, biz)
        return Response(signed_answer(config, method, answer), media_type=JSON)

    def _open_agreement(params: dict, biz: dict) -> dict:
        if biz.get("personal_product_code") != "CYCLE_PAY_AUTH_P" or not biz.get("external_agreement_no"):
            raise GatewayRefusal(
                "isv.missing-parameter", "personal_product_code CYCLE_PAY_AUTH_P and external_agreement_no"
            )
        return agreements.open(
            params["app_id"],
            str(biz["external_agreement_no"])[:64],
            params.get("notify_url", ""),
            params.get("return_url", ""),
            str(biz.get("external_logon_id", "")),
        )

    def _agreement_call(params: dict, method: str, biz: dict) -> dict:
        app_id = params["app_id"]
        if method == PAY_METHOD:
            if biz.get("product_code") not in ("CYCLE_PAY_AUTH", "GENERAL_WITHHOLDING"):
                return {
                    "code": "40004",
                    "msg": "Business Failed",
                    "sub_code": "ACQ.INVALID_PARAMETER",
                    "sub_msg": "only agreement pay (CYCLE_PAY_AUTH) in the sandbox",
                }
            answer, trade = agreements.pay(app_id, config.apps[app_id].seller_id, biz, params.get("notify_url", ""))
            if trade is not None:
                notifier.send(trade)
            return answer
        found = agreements.get(app_id, agreement_no=str(biz.get("agreement_no", "")))
        if found is None or found["status"] != "NORMAL":
            return {
                "code": "40004",
                "msg": "Business Failed",
                "sub_code": "USER_AGREEMENT_NOT_EXIST",
                "sub_msg": "协议不存在",
            }
        ended = agreements.set_status(app_id, found["external_agreement_no"], "UNSIGN", ("NORMAL",))
        if ended is not None:
            notifier.send_form(
                app_id,
                ended["external_agreement_no"],
                ended["notify_url"],
                sign_notification(config.private_key, app_id, ended),
            )
        return {"code": "10000", "msg": "Success"}

    @post("/sandbox/sign")
    async def sign(request: Request) -> Response:
        form = await request.form()
        app_id, external, action = form.get("app_id", ""), form.get("external_agreement_no", ""), form.get("action", "")
        lang = language(request.headers.get("accept-language"), form.get("lang"))
        found = agreements.get(app_id, external)
        if found is None or action not in ("agree", "decline"):
            return Response(error_page(lang, "AGREEMENT_NOT_EXIST", "协议不存在"), media_type=HTML, status_code=404)
        if action == "decline":
            target = found["return_url"]
        else:
            signed = agreements.set_status(app_id, external, "NORMAL", ("TEMP",))
            if signed is None:  # signed or ended meanwhile (a second tab)
                return Response(sign_page(agreements.get(app_id, external), lang), media_type=HTML, status_code=409)
            notifier.send_form(
                app_id, external, signed["notify_url"], sign_notification(config.private_key, app_id, signed)
            )
            target = signed["return_url"]
        if not target:
            return Response(sign_page(agreements.get(app_id, external), lang), media_type=HTML)
        return Response("", status_code=HTTP_303_SEE_OTHER, headers={"Location": target})

    @get("/downloadBillFile.resource")
    async def download_bill(request: Request) -> Response:
        data = bills.download(request.query_params.get("token", ""))
        if data is None:
            return Response("账单链接无效或已过期", media_type="text/plain; charset=utf-8", status_code=404)
        name = request.query_params.get("downloadFileName", "bill.csv.zip")
        return Response(
            data, media_type="application/zip", headers={"Content-Disposition": f'attachment; filename="{name}"'}
        )

    @post("/sandbox/pay")
    async def decide(request: Request) -> Response:
        form = await request.form()
        app_id, out_trade_no, action = form.get("app_id", ""), form.get("out_trade_no", ""), form.get("action", "")
        lang = language(request.headers.get("accept-language"), form.get("lang"))
        trade = store.trade(app_id, out_trade_no)
        if trade is None or action not in ("pay", "cancel"):
            return Response(error_page(lang, "ACQ.TRADE_NOT_EXIST", "交易不存在"), media_type=HTML, status_code=404)
        finished = store.finish(app_id, out_trade_no, "TRADE_SUCCESS" if action == "pay" else "TRADE_CLOSED")
        if finished is None:  # paid or closed meanwhile (a second tab, an expiry, alipay.trade.close)
            return Response(
                pay_page(trade | (store.trade(app_id, out_trade_no) or {}), lang), media_type=HTML, status_code=409
            )
        notifier.send(finished)
        if not finished["return_url"]:
            return Response(pay_page(finished, lang), media_type=HTML)
        query = urlencode(return_params(config, finished)) if action == "pay" else ""
        target = finished["return_url"] + (("&" if "?" in finished["return_url"] else "?") + query if query else "")
        return Response("", status_code=HTTP_303_SEE_OTHER, headers={"Location": target})

    @get("/")
    async def index() -> Response:
        rows = store.latest()
        lines = "\n".join(f"{r['app_id']}  {r['out_trade_no']}  {r['status']}  {r['total_fen']} fen" for r in rows)
        return Response(
            f"Alipay sandbox: {len(config.apps)} app(s); latest trades:\n{lines}\n",
            media_type="text/plain; charset=utf-8",
        )

    async def start() -> None:
        tasks.append(asyncio.create_task(notifier.run()))

    async def stop() -> None:
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        store.close()

    app = Litestar([gateway, decide, sign, download_bill, index], on_startup=[start], on_shutdown=[stop], debug=False)
    app.state.sandbox_store = store
    app.state.sandbox_notifier = notifier
    app.state.sandbox_agreements = agreements
    return app
