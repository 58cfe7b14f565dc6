"""The sandbox as a Litestar app: API v3 under /v3/ (signed both ways), the pay page, and the customer's choice."""

from __future__ import annotations

import asyncio
import contextlib
import re
import time

from litestar import Litestar, Request, Response, get, post, route
from litestar.params import FromPath

from plugins.wechatpay.sandbox import api, signin
from plugins.wechatpay.sandbox.api import Refusal
from plugins.wechatpay.sandbox.config import SandboxConfig
from plugins.wechatpay.sandbox.notifier import Notifier
from plugins.wechatpay.sandbox.page import language, pay_page
from plugins.wechatpay.sandbox.signing import signed_headers, transaction
from plugins.wechatpay.sandbox.store import TradeStore

HTML = "text/html; charset=utf-8"
ORDER = re.compile(r"/v3/pay/transactions/(native|h5|jsapi)")
TRADE_TYPES = {"native": "NATIVE", "h5": "MWEB", "jsapi": "JSAPI"}
TRADE = re.compile(r"/v3/pay/transactions/out-trade-no/([^/?]+)(/close)?")


def build_app(config: SandboxConfig) -> Litestar:
    store = TradeStore(config.database)
    notifier = Notifier(config, store)
    bills = api.Bills()
    sign_in = signin.SignIn(config)
    tasks: list[asyncio.Task] = []

    def answer(status: int, data: dict | None) -> Response:
        body = api.dumps(data) if data is not None else ""
        return Response(
            body,
            status_code=status,
            media_type="application/json",
            headers=signed_headers(config.private_key, config.public_key_id, body),
        )

    @route("/v3/{rest:path}", http_method=["GET", "POST"])
    async def v3(request: Request, rest: FromPath[str]) -> Response:
        path = request.url.path
        target = path + (f"?{request.url.query}" if request.url.query else "")
        body = (await request.body()).decode("utf-8")
        base = f"{request.url.scheme}://{request.url.netloc}"
        try:
            merchant = api.authenticate(config, request.method, target, body, request.headers.get("authorization", ""))
            data = {}
            if body:
                try:
                    data = api.json.loads(body)
                except ValueError:
                    raise Refusal(400, "PARAM_ERROR", "请求体不是 JSON") from None
            if request.method == "POST" and (m := ORDER.fullmatch(path)):
                return answer(200, api.place_order(store, merchant, TRADE_TYPES[m.group(1)], data, base))
            if (m := TRADE.fullmatch(path)) and m.group(2) and request.method == "POST":
                api.close(store, merchant, m.group(1))
                return answer(204, None)
            if (m := TRADE.fullmatch(path)) and request.method == "GET":
                if request.query_params.get("mchid") != merchant.mch_id:
                    raise Refusal(400, "PARAM_ERROR", "mchid 与签名商户不一致")
                return answer(200, api.query(store, merchant, m.group(1)))
            if path == "/v3/refund/domestic/refunds" and request.method == "POST":
                return answer(200, api.refund(store, merchant, data, notifier.send))
            if path == "/v3/bill/tradebill" and request.method == "GET":
                day = request.query_params.get("bill_date", "")
                if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
                    raise Refusal(400, "PARAM_ERROR", "bill_date 格式为 YYYY-MM-DD")
                return answer(200, bills.offer(api.trade_bill(store, merchant, day), base))
            if path == "/v3/billdownload/file" and request.method == "GET":
                text = bills.files.pop(request.query_params.get("token", ""), None)
                if text is None:
                    raise Refusal(404, "RESOURCE_NOT_EXISTS", "账单不存在或已下载")
                return Response(text, media_type="text/csv; charset=utf-8", status_code=200)
            raise Refusal(404, "RESOURCE_NOT_EXISTS", f"no such API {request.method} {path}")
        except Refusal as refusal:
            return answer(refusal.status, refusal.body)

    @get("/sandbox/checkout/{token:str}")
    async def pay(request: Request, token: FromPath[str]) -> Response:
        lang = language(request.headers.get("accept-language"))
        trade = store.by_token(token)
        back = request.query_params.get("redirect_url", "") if request.query_params.get("h5") else ""
        return Response(pay_page(trade, lang, back), media_type=HTML, status_code=200 if trade else 404)

    @post("/sandbox/pay", status_code=200)
    async def decide(request: Request) -> Response:
        form = await request.form()
        lang = language(request.headers.get("accept-language"), form.get("lang"))
        trade, action, back = store.by_token(form.get("token", "")), form.get("action", ""), form.get("back", "")
        if trade is None or action not in ("pay", "cancel"):
            return Response(pay_page(None, lang), media_type=HTML, status_code=404)
        done = store.finish(trade["mchid"], trade["out_trade_no"], "SUCCESS" if action == "pay" else "CLOSED")
        if done is None:  # paid or closed meanwhile
            return Response(pay_page(store.by_token(trade["token"]), lang, back), media_type=HTML, status_code=409)
        if action == "pay":  # WeChat Pay notifies payments only; a closed order is learnt by query
            notifier.send(
                done["mchid"], done["out_trade_no"], done["notify_url"], "TRANSACTION.SUCCESS", transaction(done)
            )
        if back:  # H5: back to the merchant's redirect_url
            return Response("", status_code=303, headers={"Location": back})
        return Response(pay_page(done, lang), media_type=HTML)

    @get("/connect/oauth2/authorize")
    async def authorize(request: Request) -> Response:
        user = request.cookies.get(signin.USER_COOKIE) or signin.new_user()
        status, where = sign_in.authorize(dict(request.query_params), user)
        if status != 302:
            return Response(where, media_type="text/plain; charset=utf-8", status_code=status)
        answer = Response("", status_code=302, headers={"Location": where})
        answer.set_cookie(signin.USER_COOKIE, user, httponly=True, samesite="lax", max_age=365 * 86400)
        return answer

    @get("/sns/oauth2/access_token")
    async def access_token(request: Request) -> Response:
        return Response(api.dumps(sign_in.access_token(dict(request.query_params))), media_type="application/json")

    @post("/sandbox/jsapi", status_code=200)
    async def jsapi_sheet(request: Request) -> Response:
        """WeChat's pay sheet for getBrandWCPayRequest: paySign checked, then the same confirm/cancel as the H5 page."""
        form = {k: str(v) for k, v in (await request.form()).items()}
        lang = language(request.headers.get("accept-language"))
        token, problem = signin.check_pay_sign(config, form, time.time())
        trade = store.by_token(token) if token else None
        if problem or trade is None:
            return Response(problem or "prepay_id 无效", media_type="text/plain; charset=utf-8", status_code=400)
        return Response(pay_page(trade, lang, form.get("back", "")), media_type=HTML)

    @get("/")
    async def index() -> Response:
        rows = store.latest()
        lines = "\n".join(f"{r['mchid']}  {r['out_trade_no']}  {r['state']}  {r['total_fen']} fen" for r in rows)
        return Response(
            f"WeChat Pay sandbox: {len(config.merchants)} merchant(s); latest trades:\n{lines}\n",
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

    app = Litestar(
        [v3, pay, decide, authorize, access_token, jsapi_sheet, index],
        on_startup=[start],
        on_shutdown=[stop],
        debug=False,
    )
    app.state.sandbox_store = store
    app.state.sandbox_notifier = notifier
    return app
