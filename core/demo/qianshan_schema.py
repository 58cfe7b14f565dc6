"""The tables and codes of the qianshan demo BSS (千山通信): an Oracle-style provincial billing system.

Upper-case names, ``CHAR`` code columns (values written blank-padded, as
Oracle stores them), soft deletes (``REMOVE_TAG``), change times as text
``YYYYMMDDHH24MISS``, money in li (厘, 0.001 yuan) except the payments table's
yuan, bills per account, bill items that name the line only by ``USER_ID`` and
their charge only by ``ITEM_CODE``, months only by ``CYCLE_ID``, and call
records in one table per month named ``TG_CDR_<yy><mm>`` with file header and
trailer rows among them. docs/connectors.md ("The qianshan demo BSS") lists
every table, column and code.

The tables are SQLAlchemy Core with unquoted names, so one definition creates
them on SQLite, MariaDB and PostgreSQL (which folds them to lower case, as an
Oracle-to-PostgreSQL migration does).
"""

from __future__ import annotations

import sqlalchemy as sa

from core.demo.era import Month

NUMBER = sa.BigInteger  # Oracle NUMBER(16): keys and amounts in li


def _col(name: str, kind, **kw) -> sa.Column:
    return sa.Column(name, kind, quote=False, **kw)


def _table(name: str, meta: sa.MetaData, *columns) -> sa.Table:
    return sa.Table(name, meta, *columns, quote=False)


# -- codes ------------------------------------------------------------------------------------
REMOVE_TAG = {"kept": "0", "removed": "1"}  # every table's soft delete
CERT_TYPE_ID_CARD = "1"  # CERT_TYPE_CODE 1 居民身份证 (the only type customers here have)
NET_TYPE = {"fixed": "10", "broadband": "30", "mobile": "50"}  # NET_TYPE_CODE 10 固定电话, 30 宽带, 50 移动电话
STATE = {"active": "0", "suspended_by_request": "1", "suspended_for_debt": "5"}  # STATE_CODE 0 正常, 1 报停, 5 欠费停机
PAY_MODE = {"postpaid": "0", "prepaid": "1"}  # PAY_MODE_CODE 0 后付费, 1 预付费
PAY_TAG = {"unpaid": "0", "paid": "1", "partial": "2"}  # PAY_TAG 0 未缴, 1 已缴清, 2 部分缴费
CYCLE_STATE = {"open": "0", "billed": "1"}
PAY_CHANNEL = {  # PAY_CHANNEL: where a payment was taken
    "counter": "01",  # 营业厅柜台
    "bank": "02",  # 银行代收
    "debit": "03",  # 银行托收
    "online_hall": "15",  # 网上营业厅 (what the hall writes)
    "third_party": "16",  # 第三方支付
}
RECORD_TYPE = {"header": "00", "voice": "10", "sms": "20", "trailer": "99"}  # only 10 and 20 are call records
CALL_TYPE = {  # CALL_TYPE of voice and SMS records (blank on header and trailer rows)
    "local": "01",  # 本地通话
    "province_toll": "02",  # 省内长途
    "national_toll": "03",  # 省际长途
    "international": "04",  # 国际长途
    "roaming": "05",  # 国内漫游
    "sms": "11",  # 点对点短信
}
ITEMS = {  # ITEM_CODE -> ITEM_NAME (T_ITEM_DEF); 8001 and 9002 exist but no bill uses them
    1001: "月基本功能费",
    2001: "本地通话费",
    2002: "国内长途通话费",
    2003: "国际长途通话费",
    2004: "国内漫游通话费",
    3001: "点对点短信费",
    8001: "代收信息费",
    9001: "套餐优惠减免",
    9002: "滞纳金",
}
ITEM_OF_CALL = {"01": 2001, "02": 2002, "03": 2002, "04": 2003, "05": 2004, "11": 3001}
PRODUCTS = (  # PRODUCT_ID, PRODUCT_NAME, NET_TYPE_CODE, MONTH_FEE_LI
    (11001, "固话月租(住宅)", "10", 18000),
    (11002, "固话商务套餐", "10", 38000),
    (13001, "宽带50M包月", "30", 80000),
    (13002, "宽带100M融合套餐", "30", 120000),
    (15001, "天翼畅享49元套餐", "50", 49000),
    (15002, "天翼畅享79元套餐", "50", 79000),
    (15003, "天翼校园19元卡", "50", 19000),
    (19999, "测试产品(停用)", "50", 0),
)


def cycle_id(month: Month) -> int:
    """T_BILL_CYCLE.CYCLE_ID of a month: a running number (2024-05 is 393), not the month itself."""
    return (month[0] - 2000) * 12 + month[1] - 1 + 101


def cdr_table_name(month: Month) -> str:
    """``TG_CDR_2405`` for May 2024."""
    return f"TG_CDR_{month[0] % 100:02d}{month[1]:02d}"


def metadata() -> sa.MetaData:
    """Every table except the monthly call-record tables (:func:`cdr_table`)."""
    meta = sa.MetaData()
    cust = _table(
        "T_CUST",
        meta,
        _col("CUST_ID", NUMBER, primary_key=True, autoincrement=False),
        _col("CUST_NAME", sa.String(100), nullable=False),
        _col("CERT_TYPE_CODE", sa.CHAR(1), nullable=False),
        _col("CERT_CODE", sa.CHAR(18), nullable=False),  # a 15-digit number is blank-padded
        _col("LINK_PHONE", sa.String(20)),
        _col("EMAIL", sa.String(60)),
        _col("POST_ADDR", sa.String(200)),
        _col("IN_DATE", sa.String(8)),
        _col("REMOVE_TAG", sa.CHAR(1), nullable=False),
        _col("UPDATE_TIME", sa.String(14), nullable=False),
    )
    sa.Index("IX_T_CUST_UPDATE_TIME", cust.c.UPDATE_TIME)
    acct = _table(
        "T_ACCT",
        meta,
        _col("ACCT_ID", NUMBER, primary_key=True, autoincrement=False),
        _col("CUST_ID", NUMBER, nullable=False),
        _col("PAY_NAME", sa.String(100), nullable=False),
        _col("PAY_MODE_CODE", sa.CHAR(1), nullable=False),
        _col("REMOVE_TAG", sa.CHAR(1), nullable=False),
        _col("UPDATE_TIME", sa.String(14), nullable=False),
    )
    sa.Index("IX_T_ACCT_CUST_ID", acct.c.CUST_ID)
    _table(
        "T_PRODUCT",
        meta,
        _col("PRODUCT_ID", NUMBER, primary_key=True, autoincrement=False),
        _col("PRODUCT_NAME", sa.String(60), nullable=False),
        _col("NET_TYPE_CODE", sa.CHAR(2), nullable=False),
        _col("MONTH_FEE_LI", NUMBER, nullable=False),
    )
    user = _table(
        "T_USER",
        meta,
        _col("USER_ID", NUMBER, primary_key=True, autoincrement=False),
        _col("CUST_ID", NUMBER, nullable=False),
        _col("ACCT_ID", NUMBER, nullable=False),
        _col("AREA_CODE", sa.CHAR(4), nullable=False),
        _col("SERIAL_NUMBER", sa.String(20), nullable=False),
        _col("NET_TYPE_CODE", sa.CHAR(2), nullable=False),
        _col("PRODUCT_ID", NUMBER, nullable=False),
        _col("STATE_CODE", sa.CHAR(1), nullable=False),
        _col("OPEN_DATE", sa.String(8), nullable=False),
        _col("DESTROY_DATE", sa.String(8)),
        _col("REMOVE_TAG", sa.CHAR(1), nullable=False),
        _col("UPDATE_TIME", sa.String(14), nullable=False),
    )
    sa.Index("IX_T_USER_SERIAL_NUMBER", user.c.SERIAL_NUMBER)
    sa.Index("IX_T_USER_CUST_ID", user.c.CUST_ID)
    sa.Index("IX_T_USER_ACCT_ID", user.c.ACCT_ID)
    _table(
        "T_BILL_CYCLE",
        meta,
        _col("CYCLE_ID", NUMBER, primary_key=True, autoincrement=False),
        _col("CYCLE_MONTH", sa.CHAR(6), nullable=False),
        _col("START_DATE", sa.String(8), nullable=False),
        _col("END_DATE", sa.String(8), nullable=False),
        _col("DUE_DATE", sa.String(8), nullable=False),
        _col("CYCLE_STATE", sa.CHAR(1), nullable=False),
    )
    _table(
        "T_ITEM_DEF",
        meta,
        _col("ITEM_CODE", NUMBER, primary_key=True, autoincrement=False),
        _col("ITEM_NAME", sa.String(60), nullable=False),
    )
    bill = _table(
        "T_ACCT_BILL",
        meta,
        _col("BILL_ID", NUMBER, primary_key=True, autoincrement=False),
        _col("ACCT_ID", NUMBER, nullable=False),
        _col("CYCLE_ID", NUMBER, nullable=False),
        _col("FEE", NUMBER, nullable=False),
        _col("BALANCE_PAID", NUMBER, nullable=False),
        _col("PAY_TAG", sa.CHAR(1), nullable=False),
        _col("UPDATE_TIME", sa.String(14), nullable=False),
    )
    sa.Index("IX_T_ACCT_BILL_UPDATE_TIME", bill.c.UPDATE_TIME)
    sa.Index("IX_T_ACCT_BILL_ACCT_ID", bill.c.ACCT_ID, bill.c.CYCLE_ID)
    detail = _table(
        "T_BILL_DETAIL",
        meta,
        _col("DETAIL_ID", NUMBER, primary_key=True, autoincrement=False),
        _col("BILL_ID", NUMBER, nullable=False),
        _col("USER_ID", NUMBER, nullable=False),
        _col("ITEM_CODE", NUMBER, nullable=False),
        _col("FEE", NUMBER, nullable=False),
    )
    sa.Index("IX_T_BILL_DETAIL_BILL_ID", detail.c.BILL_ID)
    paylog = _table(
        "T_PAYLOG",
        meta,
        _col("PAY_SERIAL", sa.String(20), primary_key=True),
        _col("ACCT_ID", NUMBER, nullable=False),
        _col("CYCLE_ID", NUMBER),
        _col("RECV_FEE", sa.DECIMAL(12, 2), nullable=False),
        _col("PAY_CHANNEL", sa.CHAR(2), nullable=False),
        _col("STAFF_ID", sa.String(10)),
        _col("RECV_TIME", sa.String(14), nullable=False),
        _col("OUTER_TRADE_ID", sa.String(64)),
        _col("REMOVE_TAG", sa.CHAR(1), nullable=False),
    )
    sa.Index("IX_T_PAYLOG_RECV_TIME", paylog.c.RECV_TIME)
    sa.Index("IX_T_PAYLOG_ACCT_ID", paylog.c.ACCT_ID)
    _table(
        "T_ACCT_BALANCE",
        meta,
        _col("ACCT_ID", NUMBER, primary_key=True, autoincrement=False),
        _col("BALANCE", NUMBER, nullable=False),
        _col("UPDATE_TIME", sa.String(14), nullable=False),
    )
    return meta


def cdr_table(meta: sa.MetaData, name: str) -> sa.Table:
    """A monthly call-record table (``TG_CDR_2405``, or a DBA's copy of one) in ``meta``."""
    if name in meta.tables:
        return meta.tables[name]
    return _table(
        name,
        meta,
        _col("CDR_ID", NUMBER, primary_key=True, autoincrement=False),
        _col("RECORD_TYPE", sa.CHAR(2), nullable=False),
        _col("USER_ID", NUMBER),
        _col("SERIAL_NUMBER", sa.String(20), nullable=False),
        _col("OTHER_PARTY", sa.String(24)),
        _col("START_TIME", sa.String(14), nullable=False),
        _col("DURATION", NUMBER, nullable=False),
        _col("CALL_TYPE", sa.CHAR(2), nullable=False),
        _col("FEE_LI", NUMBER, nullable=False),
    )
