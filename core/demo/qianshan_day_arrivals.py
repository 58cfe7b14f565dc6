"""The day's arrivals in the qianshan BSS (core.demo.qianshan_day): a new customer, and a switch file of call records.

A mixin of :class:`core.demo.qianshan_day_steps.Day`: it uses the day's clock,
its generator and its balance and payment helpers.
"""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa

from core.demo.legacy_db import DemoCustomer
from core.demo.qianshan_calls import as_files, call
from core.demo.qianshan_clock import stamp
from core.demo.qianshan_people import CITIES, MOBILE_PREFIXES, User, id_number
from core.demo.qianshan_schema import NET_TYPE, PAY_MODE, RECORD_TYPE, REMOVE_TAG, STATE, cdr_table, cdr_table_name
from core.id_numbers import from_legacy

KEPT = REMOVE_TAG["kept"]
KIND_OF_NET = {code: kind for kind, code in NET_TYPE.items()}
STREETS = ("新华路", "胜利路", "人民路", "解放街", "中华路", "建设大道", "园林路")
SURNAMES = "王李张刘陈杨赵黄周吴"
GIVEN = ("建国", "丽娜", "志强", "秀英", "海燕", "晓东", "雪梅", "宏伟", "桂兰", "春生")
MONTHLY = re.compile(r"^TG_CDR_(\d{2})(\d{2})$", re.IGNORECASE)


def stripped(value) -> str:
    """A value as text without the blanks of a CHAR column (None: "")."""
    return "" if value is None else str(value).strip()


class Arrivals:
    def sign_up(self) -> tuple[DemoCustomer, tuple[str, ...]]:
        """A new customer in Anshan: a prepaid account, a mobile line and a first top-up at the counter."""
        cust, acct, user, bal = (self.t[n] for n in ("T_CUST", "T_ACCT", "T_USER", "T_ACCT_BALANCE"))
        ids = [stripped(c) for c in self.conn.scalars(sa.select(cust.c.CERT_CODE))]
        taken = {from_legacy(c) if len(c) == 15 else c for c in ids}
        serials = set(map(stripped, self.conn.scalars(sa.select(user.c.SERIAL_NUMBER))))
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
            opened = dt.datetime.strptime(stripped(line.OPEN_DATE), "%Y%m%d").date()
            who = User(
                line.USER_ID,
                stripped(line.AREA_CODE),
                stripped(line.SERIAL_NUMBER),
                KIND_OF_NET[stripped(line.NET_TYPE_CODE)],
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
            if stripped(line.PAY_MODE_CODE) == PAY_MODE["prepaid"]:
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
