"""A draft ``[connector]`` table for tenant.toml from an inspection: guessed names, ``# TODO`` where it could not guess.

Each section (customers, numbers, bills, bill_items, calls) has role names in
the spellings legacy systems use - pinyin abbreviations (``KHMC`` 客户名称,
``ZJHM`` 证件号码, ``XGSJ`` 修改时间) and English-ish ones (``CUST_NAME``,
``CERT_NO``, ``UPD_TS``). The table that matches most roles of a section is
taken; keys come from primary keys, formats from :mod:`inspect_guess`. Code
maps list the codes found with ``"TODO"`` as the value, so the draft parses as
TOML but ``hall check`` refuses it until a person has said what each code means.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import sqlalchemy as sa

from plugins.sqlbss import inspect_accounts
from plugins.sqlbss.inspect import TableReport

ROLES = {
    "customers": {
        "name": ("KHMC", "KHXM", "CUST_NAME", "CUSTOMER_NAME", "NAME"),
        "id_number": ("ZJHM", "SFZH", "CERT_NO", "CERT_NBR", "ID_NO", "ID_NUMBER", "IDCARD"),
        "phone": ("LXDH", "SJHM", "CONTACT_TEL", "CONTACT_PHONE", "LINK_PHONE", "PHONE", "TEL", "MOBILE"),
        "email": ("DZYJ", "YX", "EMAIL_ADDR", "EMAIL", "MAIL"),
        "address": ("ZZ", "DZ", "TXDZ", "POST_ADDR", "ADDRESS", "ADDR"),
        "status": ("ZT", "KHZT", "STATE", "CUST_STATE", "STATUS"),
    },
    "numbers": {
        "number": ("HM", "YWHM", "ACC_NBR", "SERVICE_NBR", "SVC_NBR", "PHONE_NO", "SERIAL_NUMBER", "NUMBER"),
        "kind": ("LX", "YWLX", "PROD_TYPE", "SVC_TYPE", "NET_TYPE_CODE", "TYPE"),
        "status": ("ZT", "SUBS_STATE", "STATE_CODE", "STATE", "STATUS"),
    },
    "bills": {
        "key": ("ZDBH", "BILL_ID", "BILL_NO"),
        "number": ("HM", "JFHM", "ACC_NBR", "SERVICE_NBR"),
        "month": ("ZQ", "ZDZQ", "BILL_MONTH", "BILL_CYCLE", "MONTH"),
        "amount": ("ZJE", "YJJE", "AMOUNT", "BILL_AMT", "TOTAL_FEE", "AMT", "FEE"),
        "paid": ("YJE", "SJJE", "PAID", "PAID_AMT", "BALANCE_PAID"),
        "status": ("ZT", "JFZT", "PAY_STATE", "PAY_TAG", "STATUS", "STATE"),
        "due": ("JFRQ", "JFQX", "DUE_TS", "DUE_DATE"),
    },
    "bill_items": {
        "code": ("XMBM", "XMDM", "ITEM_CODE", "ITEM_CD"),
        "name": ("XMMC", "ITEM_NAME", "NAME"),
        "amount": ("JE", "AMOUNT", "ITEM_AMT", "FEE", "AMT"),
        "order": ("XH", "ITEM_SEQ", "SEQ", "LINE_NO"),
    },
    "calls": {
        "key": ("LSH", "CDR_ID", "SEQ_ID", "RECORD_ID"),
        "number": ("JFHM", "ZJHM", "ACC_NBR", "CALLING_NBR", "SERIAL_NUMBER"),
        "started": ("KSSJ", "THSJ", "START_TIME", "BEGIN_TIME", "START_TS"),
        "duration": ("SC", "THSC", "DURATION", "CALL_DURATION"),
        "called": ("DFHM", "BJHM", "OPP_NBR", "CALLED_NBR", "OTHER_PARTY"),
        "call_type": ("THLX", "HDLX", "CALL_TYPE", "CDR_TYPE"),
        "charge": ("FY", "JE", "FEE_YUAN", "FEE", "FEE_LI", "CHARGE", "CHARGE_FEN"),
    },
}
ROLES["accounts"] = inspect_accounts.ROLES  # a table whose key lines and bills carry: inspect_accounts.py
REQUIRED = {
    "accounts": (),
    "customers": ("name",),
    "numbers": ("number",),
    "bills": ("number", "month", "amount"),
    "bill_items": ("name", "amount"),
    "calls": ("number", "started", "duration"),
}
MAPS = {  # (section, role) -> (map key, the values a code may take)
    ("customers", "status"): ("status_map", "active|suspended|closed"),
    ("numbers", "kind"): ("kind_map", "phone|account|broadband"),
    ("numbers", "status"): ("status_map", "active|suspended|closed"),
    ("bills", "status"): ("status_map", "unpaid|partial|paid"),
    ("calls", "call_type"): ("call_type_map", "local|long_distance|international|roaming|data|sms"),
    **{("accounts", role): value for role, value in inspect_accounts.MAPS.items()},
}
FORMATS = {"money": ("amount", "paid", "charge"), "time": ("month", "due", "started")}
MONTHLY = (  # a month at the end of a table name, longest first: HD_202405, CDR_2024_05, TG_CDR_2405
    (re.compile(r"^(.*?)\d{4}(0[1-9]|1[0-2])$"), "{yyyymm}"),
    (re.compile(r"^(.*?)\d{4}_(0[1-9]|1[0-2])$"), "{yyyy}_{mm}"),
    (re.compile(r"^(.*?)\d{2}(0[1-9]|1[0-2])$"), "{yy}{mm}"),
)


def monthly_pattern(name: str) -> str | None:
    """The calls.table_pattern a monthly table's name suggests (``TG_CDR_2405`` -> ``TG_CDR_{yy}{mm}``), or None."""
    for regex, placeholder in MONTHLY:
        found = regex.match(name)
        if found:
            return found.group(1) + placeholder
    return None


@dataclass
class Found:
    table: TableReport
    columns: dict[str, str]  # role -> column name
    key: list[str]
    account: list[str] | None = None  # numbers, bills: the columns naming the account; accounts: the customer key


def _match(table: TableReport, synonyms: tuple[str, ...], taken: set[str]) -> str | None:
    for wanted in synonyms:
        col = table.column(wanted)
        if col is not None and col.name not in taken:
            return col.name
    return None


def _roles(section: str, table: TableReport, keys: list[str]) -> dict[str, str]:
    taken, found = set(keys), {}
    for role, synonyms in ROLES[section].items():
        name = _match(table, synonyms, taken)
        if name is None and section == "customers" and role == "id_number":
            name = next((c.name for c in table.columns if c.guess.id_numbers), None)
        if name is not None:
            found[role] = name
            taken.add(name)
    return found


def _has(table: TableReport, columns: list[str]) -> bool:
    return bool(columns) and all(table.column(c) is not None for c in columns)


def _pick(
    section: str, tables: list[TableReport], used: set[str], need: list[str] | None = None, required=None, also=()
) -> Found | None:
    best, best_score = None, 0
    for table in tables:
        if table.name in used or (need is not None and not _has(table, need)) or (also and not _has(table, also)):
            continue
        key = table.primary_key if section in ("customers", "bills") else [table.column(c).name for c in need or []]
        if section == "calls":
            key = [_match(table, ROLES["calls"]["key"], set()) or (table.primary_key[:1] or [None])[0]]
        if section in ("customers", "bills") and not key:
            key = [c.name for c in table.columns if c.guess.unique][:1]
        roles = _roles(section, table, key if section != "calls" else [])
        if section == "calls":
            roles.pop("key", None)
        if not all(r in roles for r in required or REQUIRED[section]) or None in key or not key:
            continue
        score = len(roles) * 10 + min(table.rows, 9)  # rows only break ties (an empty copy loses to the live table)
        if score > best_score:
            best, best_score = Found(table, roles, key), score
    return best


def guess_sections(tables: list[TableReport]) -> dict[str, Found]:
    """The tables and columns each section of the mapping most likely uses."""
    found: dict[str, Found] = {}
    used: set[str] = set()
    customers = _pick("customers", tables, used)
    if customers:
        found["customers"], used = customers, used | {customers.table.name}
        numbers = _pick("numbers", tables, used, need=customers.key)
        if numbers:
            found["numbers"], used = numbers, used | {numbers.table.name}
            accounts = inspect_accounts.guess_accounts(tables, used, customers.key, numbers.table)
            if accounts:
                table, key, roles = accounts
                owner = [table.column(c).name for c in customers.key]
                found["accounts"], used = Found(table, roles, key, owner), used | {table.name}
                numbers.account = [numbers.table.column(c).name for c in key]
    bills = _pick("bills", tables, used)
    if bills is None and "accounts" in found:  # bills of a whole account: no number column
        bills = _pick("bills", tables, used, required=("month", "amount"), also=found["accounts"].key)
    if bills is None and "accounts" in found:  # the month a cycle id (a look-up to write by hand): amount suffices
        bills = _pick("bills", tables, used, required=("amount",), also=found["accounts"].key)
    if bills and "accounts" in found and _has(bills.table, found["accounts"].key):
        bills.account = [bills.table.column(c).name for c in found["accounts"].key]
    if bills:
        found["bills"], used = bills, used | {bills.table.name}
        items = _pick("bill_items", tables, used, need=bills.key)
        if items is None:  # names in a code table (a look-up to write by hand): the bill's key and an amount
            items = _pick("bill_items", tables, used, need=bills.key, required=("amount",))
        if items:
            found["bill_items"], used = items, used | {items.table.name}
    calls = _pick("calls", tables, used)
    if calls:
        found["calls"] = calls
    return found


def _text(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_text(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _line(key: str, value, comment: str = "") -> str:
    text = f"{key} = {_text(value)}"
    return f"{text:<37} # {comment}" if comment else text


def _format_lines(section: str, found: Found) -> list[str]:
    lines = []
    for role, column in found.columns.items():
        guess = found.table.column(column).guess
        same_as_amount = (
            role == "paid"
            and "amount" in found.columns
            and found.table.column(found.columns["amount"]).guess.money == guess.money
        )
        if role in FORMATS["money"] and guess.money and not same_as_amount:  # paid_format defaults to amount_format
            lines.append(_line(f"{role}_format", guess.money, "guessed from the values: check"))
        elif role in FORMATS["time"] and guess.time and not (role == "month" and guess.time == "text:%Y%m"):
            lines.append(_line(f"{role}_format", guess.time, "guessed from the values: check"))
    return lines


def _changed(found: Found) -> tuple[str, str] | None:
    cols = [c for c in found.table.columns if c.guess.time and c.name not in found.columns.values()]
    best = next((c for c in cols if c.guess.changed), None)
    return (best.name, best.guess.time) if best else None


def _section(section: str, found: Found, url_tables: list[TableReport]) -> list[str]:
    out = [f"[connector.{section}]", f"# {found.table.name}: {found.table.rows} rows"]
    name = found.table.name
    if section == "calls":
        pattern = monthly_pattern(name)
        siblings = [t for t in url_tables if pattern and monthly_pattern(t.name) == pattern]
        if len(siblings) > 1:
            out.append(_line("table_pattern", pattern, f"{len(siblings)} monthly tables"))
        else:
            out.append(_line("table", name))
    else:
        out.append(_line("table", name))
    key_name = {
        "accounts": "key",
        "customers": "key",
        "bills": "key",
        "numbers": "customer_key",
        "bill_items": "bill_key",
        "calls": "key",
    }[section]
    key = found.key[0] if len(found.key) == 1 else found.key
    out.append(_line(key_name, key, "" if section not in ("customers", "accounts") else "primary key"))
    if found.account:  # accounts: the owner's key; numbers, bills: the account they name
        name = "customer_key" if section == "accounts" else "account"
        out.append(
            _line(
                name,
                found.account[0] if len(found.account) == 1 else found.account,
                "in the order of " + ("customers.key" if section == "accounts" else "accounts.key"),
            )
        )
    for role in ROLES[section]:
        if role == "key":
            continue
        if role in found.columns:
            out.append(_line(role, found.columns[role]))
        elif role in REQUIRED[section] and not (section == "bills" and role == "number" and found.account):
            out.append(f'# {role} = ""                       # TODO: required, not recognised')
        else:
            out.append(f'# {role} = ""                       # TODO: optional, not recognised')
    out += _format_lines(section, found)
    if section in ("customers", "bills", "calls"):
        changed = _changed(found)
        if changed:
            out += [
                _line("changed", changed[0], "change time: drives incremental sync"),
                _line("changed_format", changed[1]),
            ]
        elif section != "calls":
            out.append('# changed = ""                       # TODO: required, the change-time column')
    for (sec, role), (map_key, allowed) in MAPS.items():
        if sec != section or role not in found.columns:
            continue
        codes = found.table.column(found.columns[role]).guess.codes
        out += ["", f"[connector.{section}.{map_key}]                # TODO: say what each code means ({allowed})"]
        out += [_line(_text(c), "TODO") for c in codes] or ["# no codes seen in the sample: TODO"]
    return out + [""]


def _url_line(url: str) -> str:
    """The URL without its password: the draft is a file people pass around."""
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError:
        return _line("url", url)
    if not parsed.password:
        return _line("url", url)
    return _line("url", parsed.render_as_string(hide_password=True), "TODO: the password (shown as ***)")


def draft_toml(url: str, tables: list[TableReport]) -> str:
    """The draft ``[connector]`` TOML text (valid TOML; ``hall check`` will point at what is left to do)."""
    found = guess_sections(tables)
    out = [
        "# Draft [connector] table written by `hall connector inspect`: check every guess, resolve every TODO,",
        "# then paste it into tenants/<id>/tenant.toml and run `hall check` (docs/connectors.md).",
        "[connector]",
        _line("type", "sqlbss"),
        _url_line(url),
        _line("timezone", "Asia/Shanghai", "TODO: the BSS's local time zone"),
        "",
    ]
    for section in ("customers", "numbers", "accounts", "bills", "bill_items", "calls"):
        if section in found:
            out += _section(section, found[section], tables)
        elif section in ("customers", "numbers"):
            out += [f"# TODO: no table looks like the {section} table; [connector.{section}] is required", ""]
        else:
            out += [f"# no {section} table recognised ([connector.{section}] is optional)", ""]
    return "\n".join(out)
