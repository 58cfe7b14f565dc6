"""Reconciliation with the gateways' daily bills: billpay's report downloads WeChat Pay's trade bill from the sandbox.

The sandbox's bill is made to disagree with the hall three ways - a paid
trade missing from it, a trade with another amount, a trade the hall never
made - and the report lists each, once, with the right kind; the trades that
agree are counted as matched. The tenant's other provider (the fake gateway)
has no daily bill: the report says so and checks it payment by payment.
"""

from __future__ import annotations

import datetime as dt
import sys
import zoneinfo
from pathlib import Path

import pytest
from wechatpay_support import APP_ID, MCH_ID, start_sandbox, tenant_settings, write_secrets

sys.path.insert(0, str(Path(__file__).parents[1] / "billpay"))

from billpay_support import SELLER  # noqa: E402

from core.api.testing import add_operator  # noqa: E402
from core.payments import create_intent, start_checkout  # noqa: E402
from core.payments.registry import provider_for  # noqa: E402
from core.payments.settle import settle  # noqa: E402
from core.tenancy import require_tenant  # noqa: E402
from core.testing import TenantSpec  # noqa: E402
from core.testing.payments import FakePaymentPlugin  # noqa: E402
from plugins.billpay.report import build, run_report  # noqa: E402
from plugins.wechatpay.bill import parse_trade_bill  # noqa: E402

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    running = start_sandbox(tmp_path_factory.mktemp("wxsandbox"))
    yield running
    running.stop()


def hall_with_bills(hall_factory, sandbox):
    settings = {"billpay": SELLER, **tenant_settings(sandbox.url)}
    spec = TenantSpec(
        "alpha", plugins=["billpay"], payments={"providers": ["fake", "wechatpay"]}, plugin_settings=settings
    )
    h = hall_factory([spec], extra_plugins={"fakepay": FakePaymentPlugin()})
    write_secrets(h.hall.settings.config_file, "alpha")
    return h


def paid_bill(h, sandbox, key: str, amount: int) -> str:
    """A bill payment by WeChat Pay: ordered at the sandbox, paid there, settled in the hall from the gateway's answer."""

    async def go():
        intent = await create_intent(h.hall, purpose="bill", owner="billpay", reference=key, customer_id="C00080",
                                     amount_fen=amount, provider="wechatpay", idempotency_key=key,
                                     metadata={"number": "13911110001", "bills": [{"bill_id": key, "month": "2024-05", "amount_fen": amount}]})  # fmt: skip
        await start_checkout(h.hall, intent.id, channel="pc", return_url="http://alpha.test/r", notify_url="http://alpha.test/n")  # fmt: skip
        assert sandbox.store.finish(MCH_ID, intent.id, "SUCCESS") is not None  # the customer scanned and paid
        provider = provider_for(h.hall, require_tenant(), "wechatpay")
        await settle(h.hall, "wechatpay", await provider.query(intent.id), source="query")
        return intent.id

    return h.in_tenant("alpha", go)


def sandbox_sql(sandbox, sql: str, *args) -> None:
    with sandbox.store.lock:
        sandbox.store.db.execute(sql, args)
        sandbox.store.db.commit()


def test_the_report_lists_a_missing_trade_an_amount_mismatch_and_an_unknown_trade_from_the_wechatpay_bill(hall_factory, sandbox):  # fmt: skip
    h = hall_with_bills(hall_factory, sandbox)
    agreed = [paid_bill(h, sandbox, f"B-ok-{n}", 1000 + n) for n in range(2)]
    missing = paid_bill(h, sandbox, "B-missing", 2300)
    changed = paid_bill(h, sandbox, "B-changed", 4500)
    sandbox_sql(sandbox, "DELETE FROM trades WHERE out_trade_no = ?", missing)  # WeChat Pay has no such trade
    sandbox_sql(sandbox, "UPDATE trades SET total_fen = 4400 WHERE out_trade_no = ?", changed)
    stranger = "pi" + "e" * 28  # an order the hall never made (another system on the same merchant number, say)
    sandbox.store.open_trade(mchid=MCH_ID, out_trade_no=stranger, appid=APP_ID, description="?", total_fen=777,
                             trade_type="NATIVE", notify_url="http://elsewhere/n", time_expire="")  # fmt: skip
    sandbox.store.finish(MCH_ID, stranger, "SUCCESS")
    today = dt.datetime.now(BEIJING).date()

    report = h.in_tenant("alpha", build, h.hall, today, today)

    bill = [m for m in report["mismatches"] if m["kind"].startswith("bill_")]
    assert sorted((m["kind"], m["intent_id"] or m["reference"]) for m in bill) == sorted(
        [("bill_missing", missing), ("bill_amount_differs", changed), ("bill_unknown_trade", stranger)]
    )
    by_kind = {m["kind"]: m for m in bill}
    assert by_kind["bill_amount_differs"]["bill_fen"] == 4400 and by_kind["bill_amount_differs"]["amount_fen"] == 4500
    assert by_kind["bill_unknown_trade"]["amount_fen"] == 777 and by_kind["bill_unknown_trade"]["intent_id"] == ""
    assert by_kind["bill_missing"]["provider"] == "wechatpay" and "unknown" in by_kind["bill_missing"]["reason"]
    assert not any(m["intent_id"] in agreed for m in report["mismatches"])
    bills = report["bss"]["gateway_bills"]
    assert bills["wechatpay"] == {"bill": True, "days": 1, "rows": 4, "matched": 2, "confirmed_by_query": 0}
    assert bills["fake"] == {"bill": False}  # no daily bill: checked by query only


def test_the_report_page_shows_the_bill_findings_translated(hall_factory, sandbox):
    h = hall_with_bills(hall_factory, sandbox)
    changed = paid_bill(h, sandbox, "P-changed", 3000)
    sandbox_sql(sandbox, "UPDATE trades SET total_fen = 2999 WHERE out_trade_no = ?", changed)
    today = dt.datetime.now(BEIJING).date()
    report_id = h.in_tenant("alpha", run_report, h.hall, today, today)
    add_operator(h, "alpha", "alpha-clerk", permissions=["billpay.view", "billpay.report"])
    client = h.client("alpha")
    client.login_operator("alpha-clerk")
    page = client.get(f"/billpay/console/reports/{report_id}").text
    assert "网关账单金额不同" in page and "支付渠道日账单" in page and "无日账单：逐笔查询核对" in page, page[-3000:]
    assert "wechatpay 账单金额为 ¥29.99；网厅收款 ¥30.00。" in page  # the reason in the operator's language
    assert 'data-kind="bill_amount_differs"' in page and 'class="data gateway-bills"' in page


def test_a_trade_bill_with_payments_refunds_and_a_summary_reads_as_bill_rows_in_fen():
    text = (
        "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,"
        "应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率\n"
        "`2024-05-01 10:00:00,`wx1,`1900000001,`0,`,`4200001,`pi1,`o,`NATIVE,`SUCCESS,`OTHERS,`CNY,`12.30,`0.00,`0,`0,`0.00,`0.00,`,`,`话费,`,`0.07,`0.60%\n"
        "`2024-05-01 11:00:00,`wx1,`1900000001,`0,`,`4200001,`pi1,`o,`NATIVE,`REFUND,`OTHERS,`CNY,`0.00,`0.00,`5030001,`rf1,`2.05,`0.00,`ORIGINAL,`SUCCESS,`话费,`,`-0.01,`0.60%\n"
        "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额\n`2,`12.30,`2.05,`0.00,`0.06\n"
    )
    pay, back = parse_trade_bill(text)
    assert (pay.kind, pay.intent_id, pay.provider_ref, pay.amount_fen) == ("payment", "pi1", "4200001", 1230)
    assert (back.kind, back.refund_id, back.amount_fen) == ("refund", "rf1", 205)
    assert pay.at == dt.datetime(2024, 5, 1, 10, tzinfo=BEIJING)
