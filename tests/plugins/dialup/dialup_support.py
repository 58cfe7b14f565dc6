"""A hall with the dialup plugin on tenant ``alpha`` (fake payments, three packages, access numbers), its RADIUS
database (SQLite file, or a scratch PostgreSQL database under HALL_TEST_DB=postgres) with FreeRADIUS's own schema,
a FreeRADIUS server on loopback reading it, and a NAS driven with pyrad and radclient."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from core.api.testing import FakePaymentPlugin, TenantSpec, make_customer, register_customer
from core.payments.providers import GatewayResult
from core.payments.settle import settle

UTC = dt.timezone.utc
PHONE = "13900000001"
PACKAGES = [
    {
        "code": "dialup.h20",
        "kind": "hours",
        "name": {"zh_CN": "20小时包", "en": "20 hours"},
        "price_fen": 2000,
        "days": 31,
        "hours": 20,
    },
    {
        "code": "dialup.month",
        "kind": "unlimited",
        "name": {"zh_CN": "包月不限时", "en": "Unlimited month"},
        "price_fen": 5000,
        "days": 31,
    },
    {
        "code": "dialup.cash50",
        "kind": "money",
        "name": {"zh_CN": "预存50元", "en": "Prepaid ¥50"},
        "price_fen": 5000,
        "days": 365,
        "rate_fen_per_hour": 200,
    },
]
NUMBERS = [
    {"city": {"zh_CN": "杭州", "en": "Hangzhou"}, "number": "16300", "note": {"zh_CN": "56K", "en": "56K"}},
    {"city": {"zh_CN": "宁波", "en": "Ningbo"}, "number": "16301"},
]
DICTIONARY = """ATTRIBUTE User-Name 1 string
ATTRIBUTE User-Password 2 string encrypt=1
ATTRIBUTE NAS-IP-Address 4 ipaddr
ATTRIBUTE NAS-Port 5 integer
ATTRIBUTE Reply-Message 18 string
ATTRIBUTE Session-Timeout 27 integer
ATTRIBUTE Called-Station-Id 30 string
ATTRIBUTE Calling-Station-Id 31 string
ATTRIBUTE Acct-Status-Type 40 integer
ATTRIBUTE Acct-Input-Octets 42 integer
ATTRIBUTE Acct-Output-Octets 43 integer
ATTRIBUTE Acct-Session-Id 44 string
ATTRIBUTE Acct-Session-Time 46 integer
ATTRIBUTE Acct-Terminate-Cause 49 integer
ATTRIBUTE Event-Timestamp 55 date
VALUE Acct-Status-Type Start 1
VALUE Acct-Status-Type Stop 2
VALUE Acct-Status-Type Interim-Update 3
"""


def settings(dsn: str, **extra) -> dict:
    return {"radius_db": dsn, "packages": PACKAGES, "access_numbers": NUMBERS, **extra}


def build(hall_factory, dsn: str, **extra):
    """(harness, payments plugin, the customer's legacy id)."""
    pay = FakePaymentPlugin()
    harness = hall_factory(
        [
            TenantSpec(
                "alpha",
                plugins=["dialup"],
                payments={"providers": ["fake"]},
                plugin_settings={"dialup": settings(dsn, **extra)},
            ),
            TenantSpec("beta", plugins=[], payments={"providers": ["fake"]}),
        ],
        extra_plugins={"fakepay": pay},
    )
    person = make_customer(1, numbers=(PHONE,), phone=PHONE, email="cust@example.com")
    register_customer(harness, "alpha", person)
    return harness, pay, person.legacy_id


def paid(harness, pay, intent_id: str, amount: int):
    pay.gateway("alpha").pay(intent_id, amount)
    return harness.in_tenant(
        "alpha", settle, harness.hall, "fake", GatewayResult(intent_id, "T-" + intent_id, "succeeded", amount, {})
    )


@dataclass
class Nas:
    """An access server (NAS) talking to the test FreeRADIUS with pyrad."""

    server: object
    dictionary_path: Path

    def client(self):
        from pyrad.client import Client
        from pyrad.dictionary import Dictionary

        c = Client(
            server="127.0.0.1",
            authport=self.server.auth_port,
            acctport=self.server.acct_port,
            secret=self.server.secret.encode(),
            dict=Dictionary(str(self.dictionary_path)),
        )
        c.timeout, c.retries = 3, 2
        return c

    def login(self, username: str, password: str) -> bool:
        """An Access-Request with PAP; True on Access-Accept."""
        return self.ask(username, password)[0]

    def ask(self, username: str, password: str) -> tuple[bool, dict]:
        """An Access-Request with PAP: (accepted, the reply's attributes)."""
        from pyrad import packet

        c = self.client()
        req = c.CreateAuthPacket(code=packet.AccessRequest, User_Name=username)
        req["User-Password"] = req.PwCrypt(password)
        req["NAS-IP-Address"] = "10.1.0.1"
        req["Calling-Station-Id"] = "057188880001"
        reply = c.SendPacket(req)
        return reply.code == packet.AccessAccept, {key: reply[key] for key in reply.keys()}

    def account(
        self,
        username: str,
        status: str,
        session: str,
        *,
        when: dt.datetime,
        seconds: int = 0,
        octets_in: int = 0,
        octets_out: int = 0,
        calling: str = "057188880001",
    ) -> None:
        from pyrad import packet

        c = self.client()
        req = c.CreateAcctPacket(code=packet.AccountingRequest, User_Name=username)
        req["Acct-Status-Type"] = status
        req["Acct-Session-Id"] = session
        req["NAS-IP-Address"] = "10.1.0.1"
        req["NAS-Port"] = 7
        req["Calling-Station-Id"] = calling
        req["Called-Station-Id"] = "16300"
        req["Event-Timestamp"] = int(when.timestamp())
        if status != "Start":
            req["Acct-Session-Time"] = seconds
            req["Acct-Input-Octets"] = octets_in
            req["Acct-Output-Octets"] = octets_out
        reply = c.SendPacket(req)
        assert reply.code == packet.AccountingResponse


def radclient_login(server, username: str, password: str) -> str:
    """``radclient`` as an operator's NAS would be tested: "accept" or "reject"."""
    out = subprocess.run(
        ["radclient", "-r", "2", "-t", "3", f"127.0.0.1:{server.auth_port}", "auth", server.secret],
        input=f'User-Name = "{username}", User-Password = "{password}"\n',
        capture_output=True,
        text=True,
        timeout=30,
    )
    found = re.search(r"Received Access-(Accept|Reject)", out.stdout)
    return found.group(1).lower() if found else f"no answer: {out.stdout[-300:]} {out.stderr[-300:]}"


def run(coro):
    return asyncio.run(coro)
