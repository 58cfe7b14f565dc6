"""The qianshan demo BSS's customers, their accounts and their lines (T_CUST, T_ACCT, T_USER), as plain objects.

Qianshan Telecom (千山通信) serves four cities of Liaoning: Anshan (0412, the
home of the Qianshan mountains), Shenyang (024: a three-digit area code in a
``CHAR(4)`` column, so it reads ``'024 '``), Dalian (0411) and Dandong (0415).
Local fixed numbers have 7 digits in Anshan and Dandong and 8 elsewhere; the
number customers type for a fixed line is the area code and the local number
(``0412`` + ``5512345``), while a mobile's ``SERIAL_NUMBER`` is already the
whole 11 digits and a broadband line's is its account name (``KD0412…``).

A customer has one account, or two (mobiles prepaid, the rest postpaid); an
account pays for one line or for several (合账). ID numbers are valid for the
hall (core.id_numbers): most are 18 characters, from districts created in
1983 for holders born before that (which ``stdnum`` refuses), and some are
15-digit numbers of cards issued before 1999. Deterministic for a seed.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from faker import Faker

from core.demo.qianshan_clock import MIGRATION
from core.id_numbers import check_char, from_legacy


@dataclass(frozen=True)
class City:
    area: str
    name: str
    districts: tuple[str, ...]
    local_digits: int  # fixed-line numbers without the area code
    counties: tuple[str, ...]  # ID-number region codes of people born here


CITIES = (
    City(
        "0412",
        "鞍山市",
        ("铁东区", "铁西区", "立山区", "千山区", "海城市"),
        7,
        ("210302", "210303", "210304", "210311", "210381"),
    ),
    City(
        "024",
        "沈阳市",
        ("和平区", "沈河区", "大东区", "皇姑区", "铁西区"),
        8,
        ("210102", "210103", "210104", "210105", "210106"),
    ),
    City(
        "0411",
        "大连市",
        ("中山区", "西岗区", "沙河口区", "甘井子区", "金州区"),
        8,
        ("210202", "210203", "210204", "210211", "210213"),
    ),
    City("0415", "丹东市", ("元宝区", "振兴区", "振安区", "东港市"), 7, ("210602", "210603", "210604", "210681")),
)
CITY_WEIGHTS = (40, 30, 20, 10)
ELSEWHERE = ("110108", "130102", "220102", "230102", "370202")  # customers born in another province
MOBILE_PREFIXES = ("133", "153", "173", "177", "180", "181", "189", "199")
PRODUCTS_OF = {"fixed": (11001, 11002), "broadband": (13001, 13002), "mobile": (15001, 15002, 15003)}
CUST_BASE, ACCT_BASE, USER_BASE = 210_300_000_000, 310_300_000_000, 410_300_000_000


@dataclass
class User:
    user_id: int
    area: str
    serial: str  # SERIAL_NUMBER as stored: the local part of a fixed line
    kind: str  # fixed | mobile | broadband
    product_id: int
    state: str  # active | suspended_by_request | suspended_for_debt
    opened: dt.date
    changed: dt.datetime
    removed: bool = False
    destroyed: dt.date | None = None

    @property
    def number(self) -> str:
        """The number customers type: area code and local number for a fixed line, else SERIAL_NUMBER."""
        return self.area + self.serial if self.kind == "fixed" else self.serial


@dataclass
class Account:
    acct_id: int
    pay_name: str
    prepaid: bool
    changed: dt.datetime
    users: list[User] = field(default_factory=list)
    removed: bool = False
    in_debt: bool = False  # its lines are suspended for debt: the latest bills stay unpaid


@dataclass
class Customer:
    cust_id: int
    name: str
    cert_code: str
    phone: str
    email: str | None
    address: str
    area: str
    created: dt.date
    changed: dt.datetime
    accounts: list[Account] = field(default_factory=list)
    removed: bool = False

    @property
    def users(self) -> list[User]:
        return [u for a in self.accounts for u in a.users]


def id_number(rng: random.Random, city: City, taken: set[str]) -> str:
    """A valid ID number as the BSS stores it: 18 characters, or 15 digits for a card from before 1999."""
    while True:
        born = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(64 * 365))
        county = rng.choice(city.counties) if rng.random() < 0.85 else rng.choice(ELSEWHERE)
        serial = rng.randrange(1000)
        if born.year < 1980 and rng.random() < 0.2:
            number = f"{county}{born:%y%m%d}{serial:03d}"
            full = from_legacy(number)
        else:
            first17 = f"{county}{born:%Y%m%d}{serial:03d}"
            number = full = first17 + check_char(first17)
        if full not in taken:
            taken.add(full)
            return number


def _changed(rng: random.Random, since: dt.datetime, horizon: dt.datetime) -> dt.datetime:
    """A row's change time: the migration stamp for most rows older than it, else any second up to ``horizon``."""
    migrated = MIGRATION < horizon  # (an anchor month before 2010 predates the migration)
    if migrated and since < MIGRATION and rng.random() < 0.6:
        return MIGRATION
    start = max(since, MIGRATION) if migrated else since
    moment = start + dt.timedelta(seconds=rng.randrange(max(int((horizon - start).total_seconds()), 1)))
    return moment.replace(second=0) if rng.random() < 0.4 else moment


class _Numbers:
    """Fresh numbers: mobiles, local fixed numbers (unique across areas), broadband account names."""

    def __init__(self, rng: random.Random, count: int):
        self.rng = rng
        self.mobiles = iter(rng.sample(range(len(MOBILE_PREFIXES) * 10**8), count * 5))
        self.fixed: set[str] = set()
        self.broadband = 0

    def mobile(self) -> str:
        m = next(self.mobiles)
        return f"{MOBILE_PREFIXES[m // 10**8]}{m % 10**8:08d}"

    def local(self, city: City) -> str:
        while True:
            number = self.rng.choice("23568") + "".join(self.rng.choices("0123456789", k=city.local_digits - 1))
            if number not in self.fixed:
                self.fixed.add(number)
                return number

    def serial(self, kind: str, city: City) -> str:
        if kind == "mobile":
            return self.mobile()
        if kind == "fixed":
            return self.local(city)
        self.broadband += 1
        return f"KD{city.area}{self.broadband:07d}"


SAMPLE_SHAPES = (  # the printable demo customers: (line kinds, accounts as lists of line indexes, prepaid per account)
    (("mobile", "fixed", "broadband"), ((0, 1, 2),), (False,)),  # 合账: three numbers, one bill
    (("mobile", "fixed"), ((0,), (1,)), (True, False)),  # two accounts: a prepaid mobile, a postpaid fixed line
    (("mobile", "mobile"), ((0, 1),), (False,)),  # a family's two mobiles on one account
)


def _shape(rng: random.Random, seq: int, sample: int) -> tuple[tuple, tuple, tuple]:
    if seq <= sample:
        return SAMPLE_SHAPES[seq - 1] if seq <= len(SAMPLE_SHAPES) else (("mobile",), ((0,),), (False,))
    count = rng.choices((1, 2, 3, 4), (55, 30, 12, 3))[0]
    kinds = (rng.choice(("mobile", "mobile", "fixed")),) + tuple(
        rng.choice(("mobile", "fixed", "broadband")) for _ in range(count - 1)
    )
    mobiles = tuple(i for i, k in enumerate(kinds) if k == "mobile")
    others = tuple(i for i, k in enumerate(kinds) if k != "mobile")
    if mobiles and others and rng.random() < 0.35:
        return kinds, (mobiles, others), (rng.random() < 0.6, False)
    return kinds, (tuple(range(count)),), (not others and rng.random() < 0.5,)


def make_customers(count: int, seed: int, sample: int, window_start: dt.datetime, now: dt.datetime) -> list[Customer]:
    """``count`` customers; the first ``sample`` are active, with an e-mail address and a mobile first."""
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    surnames = [fake.last_name() for _ in range(200)]
    given = [fake.first_name() for _ in range(300)]
    streets = [fake.street_name() for _ in range(150)]
    users_ = [fake.user_name() for _ in range(200)]
    numbers = _Numbers(rng, count)
    taken: set[str] = set()
    horizon = now - dt.timedelta(hours=1)
    customers: list[Customer] = []
    acct_seq = user_seq = 0
    for seq in range(1, count + 1):
        city = rng.choices(CITIES, CITY_WEIGHTS)[0]
        demo = seq <= sample
        removed = not demo and rng.random() < 0.04
        oldest = window_start - dt.timedelta(days=24 * 365)
        latest = window_start - dt.timedelta(days=120) if demo or removed else now - dt.timedelta(days=30)
        created = oldest + dt.timedelta(days=rng.randrange((latest - oldest).days))
        name = rng.choice(surnames) + rng.choice(given)
        kinds, groups, prepaid = _shape(rng, seq, sample)
        users = []
        for kind in kinds:
            user_seq += 1
            opened = created + dt.timedelta(days=rng.randrange(1 + max(0, min(400, (latest - created).days))))
            state = "active"
            if not demo and rng.random() < 0.04:
                state = "suspended_by_request"
            user = User(
                USER_BASE + user_seq,
                city.area,
                numbers.serial(kind, city),
                kind,
                rng.choice(PRODUCTS_OF[kind]),
                state,
                opened.date(),
                _changed(rng, opened, horizon),
            )
            early = opened < window_start - dt.timedelta(days=60)
            if removed or (not demo and early and rng.random() < 0.05):
                user.removed = True
                user.destroyed = (opened + (window_start - opened) * rng.random()).date()
                user.changed = max(user.changed, dt.datetime.combine(user.destroyed, dt.time(10, 0)))
            users.append(user)
        accounts = []
        for group, pre in zip(groups, prepaid):
            acct_seq += 1
            payer = name if rng.random() < 0.92 else rng.choice(surnames) + rng.choice(given)
            account = Account(
                ACCT_BASE + acct_seq, payer, pre, _changed(rng, created, horizon), [users[i] for i in group]
            )
            account.removed = all(u.removed for u in account.users)
            if not demo and not pre and not account.removed and rng.random() < 0.06:
                account.in_debt = True
                for u in account.users:
                    if not u.removed:
                        u.state = "suspended_for_debt"
            accounts.append(account)
        first_mobile = next((u.number for u in users if u.kind == "mobile"), None)
        email = f"{rng.choice(users_)}{seq}@{rng.choice(('qq.com', '163.com', '189.cn', '126.com'))}"
        customers.append(
            Customer(
                CUST_BASE + seq,
                name,
                id_number(rng, city, taken),
                first_mobile or numbers.mobile(),
                email if demo or rng.random() < 0.3 else None,
                f"辽宁省{city.name}{rng.choice(city.districts)}{rng.choice(streets)}{rng.randrange(1, 400)}号"
                f"{rng.randrange(1, 20)}单元{rng.randrange(1, 30)}0{rng.randrange(1, 5)}室",
                city.area,
                created.date(),
                _changed(rng, created, horizon),
                accounts,
                removed,
            )
        )
    return customers
