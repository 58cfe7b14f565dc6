"""The mailbox tests' support: a real Dovecot on loopback (one per test process), a hall whose tenant sells
mailboxes on it, IMAP helpers, and the customer's and operator's steps."""

from __future__ import annotations

import imaplib
import itertools
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import re

import pytest

from core.api.testing import FakePaymentPlugin, TenantSpec, add_operator, make_customer, register_customer, sync
from plugins.mailbox import server
from plugins.mailbox.tables import Mailbox

MOBILE = "13900000001"
SECOND = "13900000002"
_domains = itertools.count(1)


@pytest.fixture(scope="session")
def dovecot():
    """Dovecot 2.3 from Debian, started with a generated dovecot.conf on a free port, stopped at the end."""
    if not server.installed():
        pytest.skip("dovecot is not installed (scripts/ensure-dovecot installs dovecot-imapd)")
    base = Path(tempfile.mkdtemp(prefix="hall-dovecot-"))
    instance = server.LocalDovecot(base, server.free_port()).start()
    yield instance
    instance.stop()


def products(**charges):
    return [
        {
            "code": "mail-1g",
            "name": {"zh_CN": "1G邮箱", "en": "1 GB mailbox"},
            "quota_mb": 1024,
            "monthly_fee_fen": 500,
        },
        {
            "code": "mail-5g",
            "name": {"zh_CN": "5G邮箱", "en": "5 GB mailbox"},
            "quota_mb": 5120,
            "monthly_fee_fen": 1500,
        },
    ]


@dataclass
class World:
    harness: object
    dovecot: object
    domain: str
    account: int
    customer: str
    pay: object

    def run(self, fn, *args, **kwargs):
        return self.harness.in_tenant("alpha", fn, *args, **kwargs)

    @property
    def hall(self):
        return self.harness.hall

    @property
    def tenant(self):
        return self.harness.tenant("alpha")

    def connector(self):
        return self.harness.connectors["alpha"]


def build(hall_factory, dovecot, *, settings: dict | None = None, charges: dict | None = None) -> World:
    domain = f"m{os.getpid()}x{next(_domains)}.mail.test"
    pay = FakePaymentPlugin()
    mailbox = {
        "domain": domain,
        "users_dir": str(dovecot.users_dir),
        "mail_root": str(dovecot.mail_root),
        "imap_port": dovecot.port,
        "retention_days": 7,
        "charge_from": "balance",
        "products": products(),
        **(settings or {}),
    }
    harness = hall_factory(
        [
            TenantSpec(
                "alpha",
                plugins=["mailbox"],
                connector={"type": "fake", "balances": True},
                payments={"providers": ["fake"]},
                plugin_settings={"mailbox": mailbox},
                products={"charges": {"grace_days": 0, "final_warning_days": 0, **(charges or {})}},
            ),
        ],
        extra_plugins={"fakepay": pay},
    )
    person = make_customer(1, numbers=(MOBILE, SECOND), email="cust@example.com")
    account = register_customer(harness, "alpha", person)
    sync(harness, "alpha")
    add_operator(
        harness,
        "alpha",
        "clerk",
        permissions=["core.products.view", "core.products.handle", "core.workorders.handle", "mailbox.view"],
    )
    return World(harness, dovecot, domain, account, person.legacy_id, pay)


@pytest.fixture
def world(hall_factory, dovecot):
    return build(hall_factory, dovecot)


def imap_login(world, address: str, password: str) -> tuple[bool, str]:
    """(True, "") when Dovecot lets the mailbox log in over IMAP; else (False, what it answered).

    Dovecot's passwd-file driver stats the file at most once a second (db-passwd-file.c: last_sync_time), so a
    change written in the second of the last look-up is seen from the next second on: wait that second first.
    """
    time.sleep(1.05)
    conn = imaplib.IMAP4("127.0.0.1", world.dovecot.port, timeout=10)
    try:
        conn.login(address, password)
        conn.logout()
        return True, ""
    except imaplib.IMAP4.error as exc:
        return False, str(exc)
    finally:
        try:
            conn.shutdown()
        except OSError:
            pass


def imap_quota_kib(world, address: str, password: str) -> int:
    """The storage limit Dovecot reports for INBOX's quota root (GETQUOTAROOT), in KiB."""
    time.sleep(1.05)  # see imap_login
    conn = imaplib.IMAP4("127.0.0.1", world.dovecot.port, timeout=10)
    try:
        conn.login(address, password)
        typ, data = conn.getquotaroot("INBOX")
        assert typ == "OK", data
        quota = data[1][0].decode()  # "User quota" (STORAGE 0 1048576)
        conn.logout()
        return int(quota.rsplit(" ", 1)[1].rstrip(")"))
    finally:
        try:
            conn.shutdown()
        except OSError:
            pass


def imap_append(world, address: str, password: str, subject: str = "hello") -> None:
    """Put one message into INBOX (mail the retention period must keep, and the removal delete)."""
    time.sleep(1.05)  # see imap_login
    conn = imaplib.IMAP4("127.0.0.1", world.dovecot.port, timeout=10)
    try:
        conn.login(address, password)
        message = f"From: a@example.com\r\nTo: {address}\r\nSubject: {subject}\r\n\r\nbody\r\n".encode()
        typ, data = conn.append("INBOX", None, None, message)
        assert typ == "OK", data
        conn.logout()
    finally:
        try:
            conn.shutdown()
        except OSError:
            pass


PASSWORD = "Mail-pass-2026"


def customer(world):
    c = world.harness.client("alpha")
    c.login_customer(MOBILE)
    return c


def apply(world, c, local="zhang.san", offering="mail-1g", password=PASSWORD, **extra):
    page = c.get("/mailbox/apply")
    assert page.status_code == 200, page.text[:400]
    token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)
    data = {"local_part": local, "offering": offering, "number": MOBILE, "password": password, "password2": password}
    return c.post("/mailbox/apply", {**data, "token": token, **extra})


def approve(world, order_id: int, action="finish_approve", comment=""):
    op = world.harness.client("alpha")
    op.login_operator("clerk")
    r = op.post(f"/console/product-orders/{order_id}/step", {"action": action, "comment": comment})
    assert r.status_code == 303, r.text[:600]
    return op


def box(world, address):
    return world.run(lambda: Mailbox.select().where(Mailbox.address == address).first())
