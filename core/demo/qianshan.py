"""The qianshan demo BSS (千山通信): a third demo legacy system, unlike jiangnan and haibin, written through SQLAlchemy Core.

``generate_qianshan_db`` writes it to a SQLite file or into any database a
SQLAlchemy URL names (MariaDB, PostgreSQL), the same rows for the same seed
and anchor month (core.demo.era). Its shape (core.demo.qianshan_schema) is
that of a provincial operator's Oracle BSS: customers ``T_CUST``, accounts
``T_ACCT``, lines ``T_USER``; bills per account ``T_ACCT_BILL`` in li with
items ``T_BILL_DETAIL`` per line and charge code; monthly call tables
``TG_CDR_<yy><mm>`` with file header and trailer rows; the BSS's own payments
``T_PAYLOG`` (in yuan: the hall writes its payments there, there is no inbox
for it) and balances ``T_ACCT_BALANCE``. :mod:`core.demo.qianshan_day` then
changes it the way a working day does.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import sqlalchemy as sa

from core.demo.era import Month, month_start
from core.demo.legacy_db import DemoCustomer
from core.demo.qianshan_billing import Ledger, bill_month, charges_of, cycle_rows, top_ups_and_balances
from core.demo.qianshan_calls import as_files, month_records
from core.demo.qianshan_clock import billed_months, bss_now, current_month, stamp
from core.demo.qianshan_people import Customer, make_customers
from core.demo.qianshan_schema import (
    CERT_TYPE_ID_CARD,
    ITEMS,
    NET_TYPE,
    PAY_MODE,
    PRODUCTS,
    REMOVE_TAG,
    STATE,
    cdr_table,
    cdr_table_name,
    metadata,
)

__all__ = ["generate_qianshan_db", "legacy_engine"]
CDR_TABLE = re.compile(r"^TG_CDR_\d{4}(_BAK)?$", re.IGNORECASE)
CHUNK = 2000


def legacy_engine(target: Path | str) -> sa.Engine:
    """An engine on ``target``: a SQLite file path, or a SQLAlchemy URL (``postgresql://`` means psycopg 3)."""
    text = str(target)
    if "://" not in text:
        return sa.create_engine(f"sqlite:///{Path(text)}")
    if text.startswith("postgresql://"):
        text = "postgresql+psycopg://" + text.removeprefix("postgresql://")
    return sa.create_engine(text)


def _tag(removed: bool) -> str:
    return REMOVE_TAG["removed" if removed else "kept"]


def people_rows(customers: list[Customer]) -> dict[str, list[dict]]:
    """T_CUST, T_ACCT and T_USER rows; CHAR columns blank-padded as Oracle stores them."""
    cust, acct, user = [], [], []
    for c in customers:
        closed = [u.changed for u in c.users if u.removed] if c.removed else []
        cust.append(
            {
                "CUST_ID": c.cust_id,
                "CUST_NAME": c.name,
                "CERT_TYPE_CODE": CERT_TYPE_ID_CARD,
                "CERT_CODE": c.cert_code.ljust(18),
                "LINK_PHONE": c.phone,
                "EMAIL": c.email,
                "POST_ADDR": c.address,
                "IN_DATE": f"{c.created:%Y%m%d}",
                "REMOVE_TAG": _tag(c.removed),
                "UPDATE_TIME": stamp(max([c.changed, *closed])),
            }
        )
        for a in c.accounts:
            acct.append(
                {
                    "ACCT_ID": a.acct_id,
                    "CUST_ID": c.cust_id,
                    "PAY_NAME": a.pay_name,
                    "PAY_MODE_CODE": PAY_MODE["prepaid" if a.prepaid else "postpaid"],
                    "REMOVE_TAG": _tag(a.removed),
                    "UPDATE_TIME": stamp(max([a.changed, *(u.changed for u in a.users if u.removed)])),
                }
            )
            for u in a.users:
                user.append(
                    {
                        "USER_ID": u.user_id,
                        "CUST_ID": c.cust_id,
                        "ACCT_ID": a.acct_id,
                        "AREA_CODE": u.area.ljust(4),
                        "SERIAL_NUMBER": u.serial,
                        "NET_TYPE_CODE": NET_TYPE[u.kind],
                        "PRODUCT_ID": u.product_id,
                        "STATE_CODE": STATE[u.state],
                        "OPEN_DATE": f"{u.opened:%Y%m%d}",
                        "DESTROY_DATE": f"{u.destroyed:%Y%m%d}" if u.destroyed else None,
                        "REMOVE_TAG": _tag(u.removed),
                        "UPDATE_TIME": stamp(u.changed),
                    }
                )
    return {"T_CUST": cust, "T_ACCT": acct, "T_USER": user}


def code_rows() -> dict[str, list[dict]]:
    return {
        "T_PRODUCT": [
            {"PRODUCT_ID": p, "PRODUCT_NAME": name, "NET_TYPE_CODE": net, "MONTH_FEE_LI": fee}
            for p, name, net, fee in PRODUCTS
        ],
        "T_ITEM_DEF": [{"ITEM_CODE": code, "ITEM_NAME": name} for code, name in ITEMS.items()],
    }


def _clear(conn: sa.Connection, meta: sa.MetaData) -> None:
    """Drop the qianshan tables a database already holds (a URL target is reused, not recreated)."""
    ours = {name.casefold() for name in meta.tables}
    for name in sa.inspect(conn).get_table_names():
        if name.casefold() in ours or CDR_TABLE.match(name):
            sa.Table(name, sa.MetaData()).drop(conn)


def write_rows(conn: sa.Connection, table: sa.Table, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        conn.execute(table.insert(), rows[start : start + CHUNK])


def generate_qianshan_db(
    target: Path | str,
    *,
    end_month: Month,
    seed: int = 1,
    customers: int = 40,
    months: int = 4,
    sample: int = 5,
) -> list[DemoCustomer]:
    """Write the qianshan BSS at ``target`` (a SQLite file, replaced; or a URL, whose qianshan tables are replaced).

    ``months`` months of bills end with ``end_month``; the call tables cover them and the current month
    (core.demo.qianshan_clock), and a DBA's backup of the oldest one (``TG_CDR_<yymm>_BAK``) lies beside
    them. Returns the first ``sample`` customers (active, an e-mail address, a mobile number first).
    """
    if "://" not in str(target):
        path = Path(target)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    now = bss_now(end_month)
    billed = billed_months(months, end_month)
    first = billed[0] if billed else end_month
    people = make_customers(customers, seed, sample, month_start(first), now)
    rng = random.Random(seed * 7919 + 29)
    ledger, calls, next_id = Ledger(), {}, 1
    for month in [*billed, current_month(end_month)] if billed else []:
        records = month_records(rng, people, month, now, set(billed[-2:]))
        calls[cdr_table_name(month)] = as_files([row for _, row in records], month, next_id)
        next_id += len(calls[cdr_table_name(month)])
        if month in billed:
            bill_month(ledger, rng, people, month, end_month, now, charges_of(records))
    top_ups_and_balances(ledger, rng, people, first, end_month, now)
    if len(billed) > 1:
        calls[cdr_table_name(billed[0]) + "_BAK"] = calls[cdr_table_name(billed[0])]
    tables = {
        **code_rows(),
        **people_rows(people),
        "T_BILL_CYCLE": cycle_rows(first, end_month),
        "T_ACCT_BILL": ledger.bills,
        "T_BILL_DETAIL": ledger.details,
        "T_PAYLOG": ledger.payments,
        "T_ACCT_BALANCE": ledger.balances,
    }
    meta = metadata()
    for name in calls:
        cdr_table(meta, name)
    engine = legacy_engine(target)
    try:
        with engine.begin() as conn:
            _clear(conn, meta)
            meta.create_all(conn)
            for name, rows in [*tables.items(), *calls.items()]:
                write_rows(conn, meta.tables[name], rows)
    finally:
        engine.dispose()
    return [
        DemoCustomer(
            str(c.cust_id),
            c.name,
            c.cert_code,
            [u.number for u in c.users if not u.removed],
            c.email or "",
            c.phone,
        )
        for c in people[:sample]
    ]
