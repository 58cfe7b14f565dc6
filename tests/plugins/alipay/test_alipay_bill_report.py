"""Reconciliation with Alipay's daily bill: billpay's report reads the sandbox's trade bill (downloadurl.query + ZIP).

The sandbox's bill is made to disagree with the hall three ways - a paid
trade missing from it, a trade with another amount, a trade the hall never
made - and the report lists each, once, with the right kind; the trades (and
the refund) that agree are counted as matched. The parser is also shown an
Alipay-made file: GBK inside a ZIP with GBK entry names, ``#`` comment lines,
tab-padded values and a refund row.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import sys
import zipfile
import zoneinfo
from pathlib import Path

import pytest
from alipay_support import APP_ID, SELLER_ID, alipay_tenant_settings, provider_for, start_sandbox, write_secrets

sys.path.insert(0, str(Path(__file__).parents[1] / "billpay"))

from billpay_support import SELLER  # noqa: E402

from core.payments import create_intent, refund, start_checkout  # noqa: E402
from core.payments.registry import provider_for as hall_provider  # noqa: E402
from core.payments.settle import settle  # noqa: E402
from core.tenancy import require_tenant  # noqa: E402
from core.testing import TenantSpec  # noqa: E402
from core.testing.payments import FakePaymentPlugin  # noqa: E402
from plugins.alipay.bill import parse_bill_zip, parse_detail  # noqa: E402
from plugins.alipay.sandbox.bill import GbkZipInfo  # noqa: E402
from plugins.billpay.report import build  # noqa: E402

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    running = start_sandbox(tmp_path_factory.mktemp("alisandbox"))
    yield running
    running.stop()


def hall_with_bills(hall_factory, sandbox):
    settings = {"billpay": SELLER, **alipay_tenant_settings(sandbox.gateway)}
    spec = TenantSpec(
        "alpha", plugins=["billpay"], payments={"providers": ["fake", "alipay"]}, plugin_settings=settings
    )
    h = hall_factory([spec], extra_plugins={"fakepay": FakePaymentPlugin()})
    write_secrets(h.hall.settings.config_file, "alpha")
    return h


def paid_at_sandbox(sandbox, out_trade_no: str, amount: int) -> None:
    """The customer opened Alipay's page and paid (the trade as the gateway keeps it)."""
    sandbox.store.open_trade(app_id=APP_ID, out_trade_no=out_trade_no, subject="话费缴费", total_fen=amount,
                             seller_id=SELLER_ID, method="alipay.trade.page.pay", notify_url="", return_url="",
                             time_expire="")  # fmt: skip
    assert sandbox.store.finish(APP_ID, out_trade_no, "TRADE_SUCCESS") is not None


def paid_bill(h, sandbox, key: str, amount: int) -> str:
    """A bill payment by Alipay: paid at the sandbox, settled in the hall from the gateway's answer to query."""

    async def go():
        intent = await create_intent(h.hall, purpose="bill", owner="billpay", reference=key, customer_id="C00080",
                                     amount_fen=amount, provider="alipay", idempotency_key=key,
                                     metadata={"number": "13911110001", "bills": [{"bill_id": key, "month": "2024-05", "amount_fen": amount}]})  # fmt: skip
        await start_checkout(h.hall, intent.id, channel="pc", return_url="http://alpha.test/r", notify_url="http://alpha.test/n")  # fmt: skip
        paid_at_sandbox(sandbox, intent.id, amount)
        provider = hall_provider(h.hall, require_tenant(), "alipay")
        await settle(h.hall, "alipay", await provider.query(intent.id), source="query")
        return intent.id

    return h.in_tenant("alpha", go)


def sandbox_sql(sandbox, sql: str, *args) -> None:
    with sandbox.store.lock:
        sandbox.store.db.execute(sql, args)


def test_the_report_lists_a_missing_trade_an_amount_mismatch_and_an_unknown_trade_from_the_alipay_bill(hall_factory, sandbox):  # fmt: skip
    h = hall_with_bills(hall_factory, sandbox)
    agreed = [paid_bill(h, sandbox, f"A-ok-{n}", 1000 + n) for n in range(2)]
    refunded = paid_bill(h, sandbox, "A-refunded", 3000)
    refund_id, outcome = h.in_tenant("alpha", refund, h.hall, refunded, 1250, reason="多缴", operator="test")
    assert outcome == "succeeded"
    missing = paid_bill(h, sandbox, "A-missing", 2300)
    changed = paid_bill(h, sandbox, "A-changed", 4500)
    sandbox_sql(sandbox, "DELETE FROM trades WHERE out_trade_no = ?", missing)  # Alipay has no such trade
    sandbox_sql(sandbox, "UPDATE trades SET total_fen = 4400 WHERE out_trade_no = ?", changed)
    stranger = "pi" + "a" * 28  # an order the hall never made (another system on the same app, say)
    paid_at_sandbox(sandbox, stranger, 777)
    today = dt.datetime.now(BEIJING).date()

    report = h.in_tenant("alpha", build, h.hall, today, today)

    bill = [m for m in report["mismatches"] if m["kind"].startswith("bill_")]
    assert sorted((m["kind"], m["intent_id"] or m["reference"]) for m in bill) == sorted(
        [("bill_missing", missing), ("bill_amount_differs", changed), ("bill_unknown_trade", stranger)]
    )
    by_kind = {m["kind"]: m for m in bill}
    assert by_kind["bill_amount_differs"]["bill_fen"] == 4400 and by_kind["bill_amount_differs"]["amount_fen"] == 4500
    assert by_kind["bill_unknown_trade"]["amount_fen"] == 777 and by_kind["bill_unknown_trade"]["intent_id"] == ""
    assert by_kind["bill_missing"]["provider"] == "alipay" and "unknown" in by_kind["bill_missing"]["reason"]
    assert not any(m["intent_id"] in [*agreed, refunded] for m in report["mismatches"])
    bills = report["bss"]["gateway_bills"]
    # rows: 2 agreed + refunded + changed + stranger payments, 1 refund; matched: the 3 payments that agree
    assert bills["alipay"] == {"bill": True, "days": 1, "rows": 6, "matched": 3, "confirmed_by_query": 0}
    assert bills["fake"] == {"bill": False}  # no daily bill: checked by query only
    [refund_row] = [r for r in asyncio.run(provider_for(sandbox.gateway).daily_bill(today)) if r.kind == "refund"]
    assert (refund_row.intent_id, refund_row.refund_id, refund_row.amount_fen) == (refunded, refund_id, 1250)


def test_a_day_without_trades_has_an_empty_bill_and_a_refused_call_makes_the_bill_unavailable(sandbox):
    from core.api.payments import ProviderUnavailable

    assert asyncio.run(provider_for(sandbox.gateway).daily_bill(dt.date(2001, 1, 1))) == []  # isp.bill_not_exist
    stranger = provider_for(sandbox.gateway, app_id="2021000000000999")
    with pytest.raises(ProviderUnavailable):  # the gateway does not know the app: an unsigned refusal
        asyncio.run(stranger.daily_bill(dt.date(2001, 1, 1)))


DETAIL = (
    "#支付宝业务明细查询\r\n"
    "#账号：[20880000000000010156]\r\n"
    "#起始日期：[2024年05月01日 00:00:00]   终止日期：[2024年05月02日 00:00:00]\r\n"
    "#-----------------------------------------业务明细列表----------------------------------------\r\n"
    "支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,订单金额（元）,"
    "商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,"
    "卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注\r\n"
    "2024050122001100001\t,pi1\t,交易\t,话费缴费 5月\t,2024-05-01 07:59:50\t,2024-05-01 08:00:05\t,\t,\t,\t,\t,"
    "buy***@x.com\t,1012.30\t,1012.30\t,0.00\t,0.00\t,0.00\t,0.00\t,0.00\t,\t,0.00\t,0.00\t,\t,-6.07\t,0.00\t,\r\n"
    "2024050122001100001\t,pi1\t,退款\t,话费缴费 5月\t,2024-05-01 07:59:50\t,2024-05-01 23:10:00\t,\t,\t,\t,\t,"
    "buy***@x.com\t,1012.30\t,-0.10\t,0.00\t,0.00\t,0.00\t,0.00\t,0.00\t,\t,0.00\t,0.00\t,rf1\t,0.00\t,0.00\t,\r\n"
    "#-----------------------------------------业务明细列表结束------------------------------------\r\n"
    "#交易合计：1笔，退款合计：1笔\r\n"
    "#导出时间：[2024年05月02日 09:10:11]\r\n"
)


def alipay_zip(detail: str) -> bytes:
    """A ZIP as Alipay makes it: GBK contents, GBK entry names without the UTF-8 flag, the summary beside the detail."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in (("208800000000000120240501_业务明细(汇总).csv", "#支付宝业务汇总查询\r\n合计,1,1\r\n"),
                           ("208800000000000120240501_业务明细.csv", detail)):  # fmt: skip
            archive.writestr(GbkZipInfo(name), text.encode("gbk"))
    return buffer.getvalue()


def test_an_alipay_bill_zip_with_gbk_text_comment_lines_and_a_refund_reads_as_bill_rows_in_fen():
    data = alipay_zip(DETAIL)
    assert "业务明细".encode("gbk") in data and "业务明细".encode() not in data  # really GBK, names and text
    pay, back = parse_bill_zip(data)
    assert (pay.kind, pay.intent_id, pay.provider_ref, pay.amount_fen) == (
        "payment",
        "pi1",
        "2024050122001100001",
        101230,
    )
    assert (back.kind, back.intent_id, back.refund_id, back.amount_fen) == ("refund", "pi1", "rf1", 10)
    assert pay.at == dt.datetime(2024, 5, 1, 0, 0, 5, tzinfo=dt.timezone.utc)  # 08:00:05 Beijing
    assert back.at == dt.datetime(2024, 5, 1, 15, 10, tzinfo=dt.timezone.utc)


def test_amounts_are_exact_and_a_sub_fen_amount_is_refused():
    line = DETAIL.splitlines()[5].replace("1012.30\t,1012.30", "0.29\t,0.29")
    [pay] = parse_detail("\n".join([*DETAIL.splitlines()[:5], line]))
    assert pay.amount_fen == 29  # float(0.29) * 100 is 28.999999999999996
    with pytest.raises(ValueError, match="whole number of fen"):
        parse_detail("\n".join([*DETAIL.splitlines()[:5], line.replace("0.29\t,0.29", "0.295\t,0.29")]))
