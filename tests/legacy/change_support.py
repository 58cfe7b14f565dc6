"""Helpers for the look-back and change-reconciliation tests: late-stamped edits to a demo legacy system of either style."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from core.legacy.tables import SyncState
from core.tenancy import tenant_scope

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")

# Where each demo style keeps what the tests change (docs/examples/connector-<style>*.toml).
STYLES = {
    "jiangnan": dict(
        bills="ZD_ZDXX",
        bill_key="ZDBH",
        bill_paid="YJE = ZJE, ZT = 'Y'",
        bill_changed="XGSJ",
        customers="KH_KHXX",
        customer_key="KHBH",
        address="ZZ",
        customer_changed="XGSJ",
        lines="YW_HMXX",
        line_number="HM",
        line_closed="ZT = 'X'",
    ),
    "haibin": dict(
        bills="ACC_BILL",
        bill_key="BILL_ID",
        bill_paid="PAID = AMOUNT, PAY_STATE = 1",
        bill_changed="UPD_TS",
        customers="CRM_CUST",
        customer_key="AREA_NO || '-' || CUST_SEQ",
        address="POST_ADDR",
        customer_changed="UPD_TS",
        lines="CRM_SUBS",
        line_number="ACC_NBR",
        line_closed="SUBS_STATE = 9",
    ),
}


def stamp(style: str, moment: dt.datetime):
    """``moment`` as the style's change column holds it (text in Shanghai time, or epoch seconds)."""
    return moment.astimezone(SHANGHAI).strftime("%Y%m%d%H%M%S") if style == "jiangnan" else int(moment.timestamp())


async def watermark_time(billing, kind: str) -> dt.datetime:
    with tenant_scope(billing.tenant):
        row = await SyncState.select(SyncState.watermark).where(SyncState.kind == kind).first()
    return billing.connector.watermark_time(kind, row["watermark"])


async def state(billing, kind: str) -> dict:
    with tenant_scope(billing.tenant):
        return await SyncState.select().where(SyncState.kind == kind).first()


def pay_bill(billing, legacy_id: str, changed: dt.datetime) -> None:
    s = STYLES[billing.style]
    billing.sql(
        f"UPDATE {s['bills']} SET {s['bill_paid']}, {s['bill_changed']} = ? WHERE {s['bill_key']} = ?",
        stamp(billing.style, changed),
        legacy_id,
    )


def touch_bill(billing, legacy_id: str, changed: dt.datetime) -> None:
    """A new change stamp, content unchanged."""
    s = STYLES[billing.style]
    billing.sql(
        f"UPDATE {s['bills']} SET {s['bill_changed']} = ? WHERE {s['bill_key']} = ?",
        stamp(billing.style, changed),
        legacy_id,
    )


def move_customer(billing, legacy_id: str, address: str, changed: dt.datetime) -> None:
    s = STYLES[billing.style]
    billing.sql(
        f"UPDATE {s['customers']} SET {s['address']} = ?, {s['customer_changed']} = ? WHERE {s['customer_key']} = ?",
        address,
        stamp(billing.style, changed),
        legacy_id,
    )


def close_line(billing, number: str) -> None:
    """A line closed upstream without any change stamp on its customer."""
    s = STYLES[billing.style]
    billing.sql(f"UPDATE {s['lines']} SET {s['line_closed']} WHERE {s['line_number']} = ?", number)
