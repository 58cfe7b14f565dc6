"""The steps of a qianshan working day (core.demo.qianshan_day), each one SQL on the BSS's own tables.

Plain SQLAlchemy Core on an open connection, so the day runs on SQLite,
MariaDB and PostgreSQL alike; every value read is stripped (``CHAR`` columns
come back padded on some databases and not on others).
"""

from __future__ import annotations

import datetime as dt
import random

import sqlalchemy as sa

from core.demo.qianshan_billing import Ledger, payment_row
from core.demo.qianshan_clock import stamp
from core.demo.qianshan_day_arrivals import GIVEN, STREETS, Arrivals, stripped
from core.demo.qianshan_schema import ITEM_OF_CALL, NET_TYPE, PAY_MODE, PAY_TAG, REMOVE_TAG, STATE

KEPT, GONE = REMOVE_TAG["kept"], REMOVE_TAG["removed"]
OWING = (PAY_TAG["unpaid"], PAY_TAG["partial"])


def typed_number(area: str, serial: str, net_type: str) -> str:
    """The number customers type for a T_USER row."""
    return stripped(area) + stripped(serial) if stripped(net_type) == NET_TYPE["fixed"] else stripped(serial)


class Day(Arrivals):
    """One day's changes on an open connection; the attributes collect what the summary reports."""

    def __init__(self, conn: sa.Connection, meta: sa.MetaData, rng: random.Random, day: dt.date, marks: dict):
        self.conn, self.meta, self.t, self.rng, self.day, self.marks = conn, meta, meta.tables, rng, day, marks
        self.payments: dict[str, str] = {}
        self.paid_bills: dict[str, int] = {}
        self.reopened: list[str] = []
        self.moved: dict[str, str] = {}
        self.balances: dict[str, int] = {}
        self.late: dict[str, list[str]] = {}
        serials = [stripped(s) for s in conn.scalars(sa.select(self.t["T_PAYLOG"].c.PAY_SERIAL))]
        self.ledger = Ledger(
            serial=max((int(s[10:]) for s in serials if s[:2] == "QS" and s[10:].isdigit()), default=0)
        )

    # -- time ---------------------------------------------------------------------------
    def during(self, start_hour: int = 9, end_hour: int = 17) -> dt.datetime:
        """A moment of the day's working hours."""
        base = dt.datetime.combine(self.day, dt.time(start_hour))
        return base + dt.timedelta(seconds=self.rng.randrange((end_hour - start_hour) * 3600))

    def late_stamp(self, table: str) -> dt.datetime:
        """A batch job's stamp: 10 to 100 minutes before ``table``'s watermark."""
        return self.marks[table] - dt.timedelta(minutes=self.rng.randrange(10, 100), seconds=self.rng.randrange(60))

    def _late(self, table: str, key, moment: dt.datetime) -> None:
        if moment < self.marks[table]:
            self.late.setdefault(table, []).append(str(key))

    # -- helpers --------------------------------------------------------------------------
    def _pick(self, query: sa.Select, count: int) -> list:
        found = sorted(self.conn.scalars(query).all())
        return sorted(self.rng.sample(found, min(count, len(found))))

    def _balance(self, acct_id: int, delta: int, when: dt.datetime) -> None:
        b = self.t["T_ACCT_BALANCE"]
        current = self.conn.scalar(sa.select(b.c.BALANCE).where(b.c.ACCT_ID == acct_id)) or 0
        self.conn.execute(
            b.update().where(b.c.ACCT_ID == acct_id).values(BALANCE=current + delta, UPDATE_TIME=stamp(when))
        )
        self.balances[str(acct_id)] = current + delta

    def _insert_payment(self, acct_id: int, area: str, cycle, li: int, when: dt.datetime, channel: str) -> None:
        row = payment_row(self.ledger, self.rng, acct_id, area, cycle, li, when, channel)
        self.conn.execute(self.t["T_PAYLOG"].insert(), [row])
        self.payments[row["PAY_SERIAL"]] = str(acct_id)

    # -- the day's changes ------------------------------------------------------------------
    def pay_bills(self, count: int) -> None:
        """Postpaid accounts pay what they owe at the counter or the bank; the settlement stamps late."""
        bill, acct, user = self.t["T_ACCT_BILL"], self.t["T_ACCT"], self.t["T_USER"]
        owing = (
            sa.select(bill.c.ACCT_ID)
            .distinct()
            .join(acct, acct.c.ACCT_ID == bill.c.ACCT_ID)
            .where(bill.c.PAY_TAG.in_(OWING), acct.c.REMOVE_TAG == KEPT, acct.c.PAY_MODE_CODE == PAY_MODE["postpaid"])
        )
        for acct_id in self._pick(owing, count):
            when = self.late_stamp("T_ACCT_BILL")
            channel = self.rng.choice(("counter", "bank"))
            area = stripped(self.conn.scalar(sa.select(user.c.AREA_CODE).where(user.c.ACCT_ID == acct_id).limit(1)))
            rows = self.conn.execute(
                sa.select(bill.c.BILL_ID, bill.c.CYCLE_ID, bill.c.FEE, bill.c.BALANCE_PAID)
                .where(bill.c.ACCT_ID == acct_id, bill.c.PAY_TAG.in_(OWING))
                .order_by(bill.c.CYCLE_ID)
            ).all()
            for bill_id, cycle, fee, paid in rows:
                self._insert_payment(acct_id, area, cycle, fee - paid, when, channel)
                self.conn.execute(
                    bill.update()
                    .where(bill.c.BILL_ID == bill_id)
                    .values(PAY_TAG=PAY_TAG["paid"], BALANCE_PAID=fee, UPDATE_TIME=stamp(when))
                )
                self.paid_bills[str(bill_id)] = fee
                self._late("T_ACCT_BILL", bill_id, when)
            self._balance(acct_id, sum(fee - paid for _, _, fee, paid in rows), when)
            self._reopen(acct_id, when + dt.timedelta(minutes=5))

    def _reopen(self, acct_id: int, when: dt.datetime) -> None:
        """Lines suspended for debt go back into service once their account owes nothing."""
        user = self.t["T_USER"]
        barred = self.conn.execute(
            sa.select(user.c.USER_ID, user.c.AREA_CODE, user.c.SERIAL_NUMBER, user.c.NET_TYPE_CODE).where(
                user.c.ACCT_ID == acct_id,
                user.c.STATE_CODE == STATE["suspended_for_debt"],
                user.c.REMOVE_TAG == KEPT,
            )
        ).all()
        for user_id, area, serial, net in barred:
            self.conn.execute(
                user.update()
                .where(user.c.USER_ID == user_id)
                .values(STATE_CODE=STATE["active"], UPDATE_TIME=stamp(when))
            )
            self.reopened.append(typed_number(area, serial, net))
            self._late("T_USER", user_id, when)

    def move(self, count: int) -> None:
        """Customers move; the first change is stamped when the clerk opened the form, before the watermark."""
        cust = self.t["T_CUST"]
        for i, cust_id in enumerate(self._pick(sa.select(cust.c.CUST_ID).where(cust.c.REMOVE_TAG == KEPT), count)):
            old = stripped(self.conn.scalar(sa.select(cust.c.POST_ADDR).where(cust.c.CUST_ID == cust_id)))
            prefix = old[:6] if old.startswith("辽宁省") else "辽宁省鞍山市"
            r = self.rng
            new = (
                f"{prefix}{r.choice(STREETS)}{r.randrange(1, 300)}号{r.randrange(1, 20)}单元"
                f"{r.randrange(1, 30)}0{r.randrange(1, 5)}室"
            )
            when = self.late_stamp("T_CUST") if i == 0 else self.during()
            self.conn.execute(
                cust.update().where(cust.c.CUST_ID == cust_id).values(POST_ADDR=new, UPDATE_TIME=stamp(when))
            )
            self.moved[str(cust_id)] = new
            self._late("T_CUST", cust_id, when)

    def rename(self) -> dict[str, str]:
        """A name corrected at the counter (a mistyped character); the accounts in the old name follow."""
        cust, acct = self.t["T_CUST"], self.t["T_ACCT"]
        query = sa.select(cust.c.CUST_ID).where(
            cust.c.REMOVE_TAG == KEPT, cust.c.CUST_ID.not_in([int(c) for c in self.moved])
        )
        [cust_id] = self._pick(query, 1)
        old = stripped(self.conn.scalar(sa.select(cust.c.CUST_NAME).where(cust.c.CUST_ID == cust_id)))
        new = old[0] + self.rng.choice([g for g in GIVEN if g != old[1:]])
        when = stamp(self.during())
        self.conn.execute(cust.update().where(cust.c.CUST_ID == cust_id).values(CUST_NAME=new, UPDATE_TIME=when))
        self.conn.execute(
            acct.update()
            .where(acct.c.CUST_ID == cust_id, acct.c.PAY_NAME == old)
            .values(PAY_NAME=new, UPDATE_TIME=when)
        )
        return {str(cust_id): new}

    def close_line(self) -> tuple[str, ...]:
        """A line is closed (拆机): ``T_USER.REMOVE_TAG`` only; its customer's change time stays put."""
        user = self.t["T_USER"]
        shared = (
            sa.select(user.c.ACCT_ID)
            .where(user.c.REMOVE_TAG == KEPT)
            .group_by(user.c.ACCT_ID)
            .having(sa.func.count() > 1)
        )
        query = sa.select(user.c.USER_ID).where(
            user.c.REMOVE_TAG == KEPT, user.c.STATE_CODE == STATE["active"], user.c.ACCT_ID.in_(shared)
        )
        picked = self._pick(query, 1)
        if not picked:  # every account is down to one line
            return ()
        user_id = picked[0]
        area, serial, net = self.conn.execute(
            sa.select(user.c.AREA_CODE, user.c.SERIAL_NUMBER, user.c.NET_TYPE_CODE).where(user.c.USER_ID == user_id)
        ).one()
        self.conn.execute(
            user.update()
            .where(user.c.USER_ID == user_id)
            .values(REMOVE_TAG=GONE, DESTROY_DATE=f"{self.day:%Y%m%d}", UPDATE_TIME=stamp(self.during()))
        )
        return (typed_number(area, serial, net),)

    def rerate(self) -> dict[str, int]:
        """The rating batch corrects the biggest call charge of one unpaid bill of the last cycle (20 % too high)."""
        bill, detail, acct = self.t["T_ACCT_BILL"], self.t["T_BILL_DETAIL"], self.t["T_ACCT"]
        last = self.conn.scalar(sa.select(sa.func.max(bill.c.CYCLE_ID)))
        query = (
            sa.select(bill.c.BILL_ID)
            .distinct()
            .join(detail, detail.c.BILL_ID == bill.c.BILL_ID)
            .join(acct, acct.c.ACCT_ID == bill.c.ACCT_ID)
            .where(
                bill.c.CYCLE_ID == last,
                bill.c.PAY_TAG == PAY_TAG["unpaid"],
                acct.c.PAY_MODE_CODE == PAY_MODE["postpaid"],
                detail.c.ITEM_CODE.in_(sorted(set(ITEM_OF_CALL.values()))),
                detail.c.FEE >= 1000,
            )
        )
        picked = self._pick(query, 1)
        if not picked:
            return {}
        bill_id = picked[0]
        detail_id, old = self.conn.execute(
            sa.select(detail.c.DETAIL_ID, detail.c.FEE)
            .where(detail.c.BILL_ID == bill_id, detail.c.ITEM_CODE.in_(sorted(set(ITEM_OF_CALL.values()))))
            .order_by(detail.c.FEE.desc(), detail.c.DETAIL_ID)
            .limit(1)
        ).one()
        cut = old - old * 8 // 100 * 10  # the new charge: 80 %, in whole fen
        when = self.late_stamp("T_ACCT_BILL")
        fee, acct_id = self.conn.execute(sa.select(bill.c.FEE, bill.c.ACCT_ID).where(bill.c.BILL_ID == bill_id)).one()
        self.conn.execute(detail.update().where(detail.c.DETAIL_ID == detail_id).values(FEE=old - cut))
        self.conn.execute(bill.update().where(bill.c.BILL_ID == bill_id).values(FEE=fee - cut, UPDATE_TIME=stamp(when)))
        self._late("T_ACCT_BILL", bill_id, when)
        self._balance(acct_id, cut, when)
        return {str(bill_id): fee - cut}
