"""``hall connector inspect`` guesses an accounts table: one whose key the lines and the bills both carry."""

from __future__ import annotations

import sqlite3
import tomllib
from contextlib import closing

from plugins.sqlbss.inspect import inspect_url
from plugins.sqlbss.inspect_draft import draft_toml
from plugins.sqlbss.mapping import parse_mapping

SCHEMA = """
CREATE TABLE CUST_INFO (CUST_ID VARCHAR(10) PRIMARY KEY, CUST_NAME VARCHAR(40), CERT_NO VARCHAR(18), UPD_TS INTEGER);
CREATE TABLE SUBS_INFO (ACC_NBR VARCHAR(20) PRIMARY KEY, CUST_ID VARCHAR(10), ACCT_ID INTEGER, STATE CHAR(1));
CREATE TABLE ACCT (ACCT_ID INTEGER PRIMARY KEY, CUST_ID VARCHAR(10), ACCT_NAME VARCHAR(40), PAY_MODE CHAR(1));
CREATE TABLE BILL (BILL_ID INTEGER PRIMARY KEY, ACCT_ID INTEGER, BILL_MONTH CHAR(6), AMOUNT INTEGER, UPD_TS INTEGER);
"""


def make_db(path) -> None:
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.executescript(SCHEMA)
        for n in range(1, 7):
            conn.execute(
                "INSERT INTO CUST_INFO VALUES (?, ?, ?, ?)", (f"C{n}", f"客户{n}", "11010519491231002X", 1717200000 + n)
            )
            conn.execute("INSERT INTO ACCT VALUES (?, ?, ?, ?)", (500 + n, f"C{n}", f"账户{n}", "HY"[n % 2]))
            conn.execute("INSERT INTO SUBS_INFO VALUES (?, ?, ?, ?)", (f"1390000000{n}", f"C{n}", 500 + n, "A"))
            conn.execute("INSERT INTO BILL VALUES (?, ?, ?, ?, ?)", (900 + n, 500 + n, "202405", 3000, 1717300000 + n))


def test_the_draft_maps_the_accounts_table_and_the_account_columns(tmp_path):
    path = tmp_path / "legacy.sqlite3"
    make_db(path)
    url = f"sqlite:///{path}"
    text = draft_toml(url, inspect_url(url))
    draft = tomllib.loads(text)["connector"]
    accounts = draft["accounts"]
    assert (accounts["table"], accounts["key"], accounts["customer_key"]) == ("ACCT", "ACCT_ID", "CUST_ID")
    assert (accounts["name"], accounts["billing"]) == ("ACCT_NAME", "PAY_MODE")
    assert set(accounts["billing_map"]) == {"H", "Y"} and set(accounts["billing_map"].values()) == {"TODO"}
    assert draft["numbers"]["account"] == "ACCT_ID" and draft["bills"]["account"] == "ACCT_ID"
    bills = text.split("[connector.bills]")[1].split("[connector.")[0]
    assert "number" not in draft["bills"] and '# number = ""                       # TODO: optional' in bills
    accounts["billing_map"] = {"H": "postpaid", "Y": "prepaid"}
    draft["numbers"]["status_map"] = {"A": "active"}
    mapping = parse_mapping(draft, tmp_path / "tenant.toml")
    assert mapping.accounts.key == ["ACCT_ID"] and mapping.bills.account == ["ACCT_ID"]
