"""The steps of a qianshan working day (core.demo.qianshan_day), each one SQL on the BSS's own tables.

Plain SQLAlchemy Core on an open connection, so the day runs on SQLite,
MariaDB and PostgreSQL alike; every value read is stripped (``CHAR`` columns
come back padded on some databases and not on others).
"""

from __future__ import annotations

import datetime as dt
import random
import re

import sqlalchemy as sa

from core.demo.legacy_db import DemoCustomer
from core.demo.qianshan_billing import Ledger, payment_row
from core.demo.qianshan_calls import as_files, call
from core.demo.qianshan_clock import stamp
from core.demo.qianshan_people import CITIES, MOBILE_PREFIXES, User, id_number
from core.demo.qianshan_schema import (
    ITEM_OF_CALL,
    NET_TYPE,
    PAY_MODE,
    PAY_TAG,
    RECORD_TYPE,
    REMOVE_TAG,
    STATE,
    cdr_table,
    cdr_table_name,
)
from core.id_numbers import from_legacy

KEPT, GONE = REMOVE_TAG["kept"], REMOVE_TAG["removed"]
OWING = (PAY_TAG["unpaid"], PAY_TAG["partial"])
KIND_OF_NET = {code: kind for kind, code in NET_TYPE.items()}
STREETS = ("新华路", "胜利路", "人民路", "解放街", "中华路", "建设大道", "园林路")
SURNAMES = "王李张刘陈杨赵黄周吴"
GIVEN = ("建国", "丽娜", "志强", "秀英", "海燕", "晓东", "雪梅", "宏伟", "桂兰", "春生")
MONTHLY = re.compile(r"^TG_CDR_(\d{2})(\d{2})$", re.IGNORECASE)


def _s(value) -> str:
    return "" if value is None else str(value).strip()


def typed_number(area: str, serial: str, net_type: str) -> str:
    """The number customers type for a T_USER row."""
    return _s(area) + _s(serial) if _s(net_type) == NET_TYPE["fixed"] else _s(serial)


class Day:
    """One day's changes on an open connection; the attributes collect what the summary reports."""

    def __init__(self, conn: sa.Connection, meta: sa.MetaData, rng: random.Random, day: dt.date, marks: dict):
        self.conn, self.meta, self.t, self.rng, self.day, self.marks = conn, meta, meta.tables, rng, day, marks
        self.payments: dict[str, str] = {}
        self.paid_bills: dict[str, int] = {}
        self.reopened: list[str] = []
        self.moved: dict[str, str] = {}
        self.balances: dict[str, int] = {}
        self.late: dict[str, list[str]] = {}
        serials = [_s(s) for s in conn.scalars(sa.select(self.t["T_PAYLOG"].c.PAY_SERIAL))]
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
            area = _s(self.conn.scalar(sa.select(user.c.AREA_CODE).where(user.c.ACCT_ID == acct_id).limit(1)))
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
            old = _s(self.conn.scalar(sa.select(cust.c.POST_ADDR).where(cust.c.CUST_ID == cust_id)))
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
        old = _s(self.conn.scalar(sa.select(cust.c.CUST_NAME).where(cust.c.CUST_ID == cust_id)))
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

    def sign_up(self) -> tuple[DemoCustomer, tuple[str, ...]]:
        """A new customer in Anshan: a prepaid account, a mobile line and a first top-up at the counter."""
        cust, acct, user, bal = (self.t[n] for n in ("T_CUST", "T_ACCT", "T_USER", "T_ACCT_BALANCE"))
        ids = [_s(c) for c in self.conn.scalars(sa.select(cust.c.CERT_CODE))]
        taken = {from_legacy(c) if len(c) == 15 else c for c in ids}
        serials = set(map(_s, self.conn.scalars(sa.select(user.c.SERIAL_NUMBER))))
        mobile = next(
            n
            for n in (f"{self.rng.choice(MOBILE_PREFIXES)}{self.rng.randrange(10**8):08d}" for _ in range(100))
            if n not in serials
        )
        cust_id, acct_id, user_id = (
            self.conn.scalar(sa.select(sa.func.max(t.c[k]))) + 1
            for t, k in ((cust, "CUST_ID"), (acct, "ACCT_ID"), (user, "USER_ID"))
        )
        city = CITIES[0]
        name = self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)
        cert = id_number(self.rng, city, taken)
        when = self.during(9, 12)
        address = f"辽宁省{city.name}{self.rng.choice(city.districts)}{self.rng.choice(STREETS)}{self.rng.randrange(1, 300)}号"
        day, changed = f"{self.day:%Y%m%d}", stamp(when)
        self.conn.execute(
            cust.insert(),
            [
                {
                    "CUST_ID": cust_id,
                    "CUST_NAME": name,
                    "CERT_TYPE_CODE": "1",
                    "CERT_CODE": cert.ljust(18),
                    "LINK_PHONE": mobile,
                    "EMAIL": None,
                    "POST_ADDR": address,
                    "IN_DATE": day,
                    "REMOVE_TAG": KEPT,
                    "UPDATE_TIME": changed,
                }
            ],
        )
        self.conn.execute(
            acct.insert(),
            [
                {
                    "ACCT_ID": acct_id,
                    "CUST_ID": cust_id,
                    "PAY_NAME": name,
                    "PAY_MODE_CODE": PAY_MODE["prepaid"],
                    "REMOVE_TAG": KEPT,
                    "UPDATE_TIME": changed,
                }
            ],
        )
        self.conn.execute(
            user.insert(),
            [
                {
                    "USER_ID": user_id,
                    "CUST_ID": cust_id,
                    "ACCT_ID": acct_id,
                    "AREA_CODE": city.area.ljust(4),
                    "SERIAL_NUMBER": mobile,
                    "NET_TYPE_CODE": NET_TYPE["mobile"],
                    "PRODUCT_ID": 15001,
                    "STATE_CODE": STATE["active"],
                    "OPEN_DATE": day,
                    "DESTROY_DATE": None,
                    "REMOVE_TAG": KEPT,
                    "UPDATE_TIME": changed,
                }
            ],
        )
        paid = when + dt.timedelta(minutes=5)
        self.conn.execute(bal.insert(), [{"ACCT_ID": acct_id, "BALANCE": 0, "UPDATE_TIME": changed}])
        self._insert_payment(acct_id, city.area, None, 100_000, paid, "counter")
        self._balance(acct_id, 100_000, paid)
        return DemoCustomer(str(cust_id), name, cert, [mobile], "", mobile), (str(acct_id),)

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

    def deliver_calls(self, count: int) -> tuple[str, ...]:
        """A switch file of ``count`` records for the day, into the day's month table (created when it is new)."""
        user, acct = self.t["T_USER"], self.t["T_ACCT"]
        month = (self.day.year, self.day.month)
        names = [n for n in sa.inspect(self.conn).get_table_names() if MONTHLY.match(n)]
        table = cdr_table(self.meta, cdr_table_name(month))
        if table.name.casefold() not in {n.casefold() for n in names}:
            table.create(self.conn)
        top = max(
            (self.conn.scalar(sa.select(sa.func.max(cdr_table(self.meta, n).c.CDR_ID))) or 0 for n in names), default=0
        )
        files = self.conn.scalar(
            sa.select(sa.func.count()).where(table.c.RECORD_TYPE == RECORD_TYPE["header"]).select_from(table)
        )
        lines = self.conn.execute(
            sa.select(
                user.c.USER_ID,
                user.c.AREA_CODE,
                user.c.SERIAL_NUMBER,
                user.c.NET_TYPE_CODE,
                user.c.PRODUCT_ID,
                user.c.OPEN_DATE,
                acct.c.ACCT_ID,
                acct.c.PAY_MODE_CODE,
            )
            .join(acct, acct.c.ACCT_ID == user.c.ACCT_ID)
            .where(
                user.c.REMOVE_TAG == KEPT,
                user.c.STATE_CODE == STATE["active"],
                user.c.NET_TYPE_CODE.in_((NET_TYPE["fixed"], NET_TYPE["mobile"])),
            )
            .order_by(user.c.USER_ID)
        ).all()
        records, prepaid = [], {}
        for _ in range(count):
            line = self.rng.choice(lines)
            opened = dt.datetime.strptime(_s(line.OPEN_DATE), "%Y%m%d").date()
            who = User(
                line.USER_ID,
                _s(line.AREA_CODE),
                _s(line.SERIAL_NUMBER),
                KIND_OF_NET[_s(line.NET_TYPE_CODE)],
                line.PRODUCT_ID,
                "active",
                opened,
                dt.datetime.combine(self.day, dt.time()),
            )
            record_type, code, other, seconds, fee = call(self.rng, who)
            began = self.during(7, 23)
            records.append(
                {
                    "RECORD_TYPE": record_type,
                    "USER_ID": who.user_id,
                    "SERIAL_NUMBER": who.number,
                    "OTHER_PARTY": other,
                    "START_TIME": stamp(began),
                    "DURATION": seconds,
                    "CALL_TYPE": code,
                    "FEE_LI": fee,
                }
            )
            if _s(line.PAY_MODE_CODE) == PAY_MODE["prepaid"]:
                spent, last = prepaid.get(line.ACCT_ID, (0, began))
                prepaid[line.ACCT_ID] = (spent + fee, max(last, began))
        records.sort(key=lambda r: (r["START_TIME"], r["USER_ID"]))
        rows = as_files(records, month, top + 1, files + 1)
        self.conn.execute(table.insert(), rows)
        for acct_id, (spent, last) in sorted(prepaid.items()):
            self._balance(acct_id, -spent, last)
        tag = f"{month[0]}{month[1]:02d}"
        calls = (RECORD_TYPE["voice"], RECORD_TYPE["sms"])
        return tuple(f"{tag}-{r['CDR_ID']}" for r in rows if r["RECORD_TYPE"] in calls)
