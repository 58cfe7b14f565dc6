"""Around the loop: bad input next to the field, a rejection the customer reads, provisioning retried from the
console after the mail server's directory came back, monthly debit with suspension for arrears and resumption on
payment (against the real Dovecot), fees paid in advance through the payment core, and the account events."""

from __future__ import annotations

import datetime as dt
import re

from mailbox_support import MOBILE, PASSWORD, apply, approve, box, build, customer, imap_login

from core.api.legacy import LegacyBalance, OutboxEvent
from core.api.payments import PaymentIntent
from core.api.products import Product, ProductOrder
from core.api.testing import check_plugin, field_errors, make_runner
from plugins.mailbox.tables import Mailbox


def test_the_plugin_follows_the_rules():
    assert check_plugin("mailbox") == []


def test_bad_input_is_refused_next_to_the_field(world):
    c = customer(world)
    other = "someone@elsewhere.example"
    for local, expected in [
        ("ab", "至少 3 个字符"),
        ("postmaster", "保留"),
        (other, f"@{world.domain}"),
        ("-bad", "小写字母"),
    ]:
        r = apply(world, c, local=local)
        assert r.status_code == 400, (local, r.status_code)
        assert any(expected in e for e in field_errors(r.text)), (local, field_errors(r.text))
    r = apply(world, c, local="wang.wu", password="password")
    assert r.status_code == 400 and field_errors(r.text)
    r = apply(world, c, local="wang.wu", offering="nope")
    assert r.status_code == 400 and field_errors(r.text)
    assert world.run(lambda: Mailbox.count()) == 0
    assert apply(world, c, local="wang.wu").status_code == 303
    r = apply(world, c, local=f"Wang.Wu@{world.domain}")  # the same address, written otherwise: taken
    assert r.status_code == 400 and any("已被占用" in e for e in field_errors(r.text))


def test_a_double_submit_makes_one_application(world):
    c = customer(world)
    page = c.get("/mailbox/apply")
    token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)
    data = {"local_part": "zhao", "offering": "mail-5g", "number": MOBILE, "password": PASSWORD, "password2": PASSWORD}
    first = c.post("/mailbox/apply", {**data, "token": token})
    second = c.post("/mailbox/apply", {**data, "token": token})
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert world.run(lambda: Mailbox.count()) == 1 and world.run(lambda: ProductOrder.count()) == 1


def test_a_rejection_says_why_and_frees_the_address(world):
    c = customer(world)
    apply(world, c, local="sun.qi")
    address = f"sun.qi@{world.domain}"
    op = approve(world, box(world, address)["order_id"], action="reject", comment="名称不合规")
    order = world.run(lambda: ProductOrder.select().first())
    assert (order["state"], order["note"]) == ("failed", "名称不合规")
    page = c.get("/mailbox/")
    assert "名称不合规" in page.text and "已驳回" in page.text
    assert imap_login(world, address, PASSWORD)[0] is False
    listed = op.get("/mailbox/console", params={"state": "rejected", "q": "sun"})
    assert listed.status_code == 200 and address in listed.text and "查看订单" in listed.text
    assert apply(world, c, local="sun.qi").status_code == 303  # free again


def test_provisioning_fails_while_the_mail_server_is_away_and_is_retried_from_the_console(hall_factory, dovecot):
    missing = dovecot.base / "share-not-mounted"
    world = build(hall_factory, dovecot, settings={"users_dir": str(missing)})
    c = customer(world)
    apply(world, c, local="qian")
    address = f"qian@{world.domain}"
    row = box(world, address)
    op = approve(world, row["order_id"])
    order = world.run(lambda: ProductOrder.select().where(ProductOrder.id == row["order_id"]).first())
    assert order["state"] == "held" and "share" in order["problem"]
    product = world.run(lambda: Product.select().where(Product.specification == "mailbox").first())
    assert product["state"] == "pending_active" and product["problem"]
    page = op.get(f"/console/product-orders/{order['id']}")
    request_id = re.search(r"/console/product-requests/(\d+)/retry", page.text).group(1)
    missing.mkdir()  # the share is back
    r = op.post(f"/console/product-requests/{request_id}/retry", {})
    assert r.status_code == 303
    order = world.run(lambda: ProductOrder.select().where(ProductOrder.id == row["order_id"]).first())
    assert order["state"] == "completed"
    assert (missing / f"{world.domain}.passwd").read_text().startswith(address + ":{ARGON2ID}")
    opened = world.run(lambda: OutboxEvent.select().where(OutboxEvent.kind == "mailbox.opened"))
    assert len(opened) == 1  # once, however often it was tried


def test_arrears_suspend_the_mailbox_and_payment_resumes_it(world):
    c = customer(world)
    apply(world, c, local="zhou")
    address = f"zhou@{world.domain}"
    approve(world, box(world, address)["order_id"])
    row = box(world, address)
    product = world.run(lambda: Product.select().where(Product.id == row["product_id"]).first())
    account = product["account_legacy_id"]
    now = dt.datetime.now(dt.timezone.utc)
    world.connector().balances[account] = LegacyBalance(account, 100, now, billing="prepaid")  # less than ¥5
    runner = make_runner(world.hall)
    world.harness.run(runner.run_now("core.products.charge", "alpha"))
    world.harness.run(runner.run_now("core.products.run", "alpha"))  # the booked suspension (grace 0 days) is due
    assert box(world, address)["state"] == "suspended"
    ok, answer = imap_login(world, address, PASSWORD)
    assert ok is False and "Suspended" in answer

    # the customer pays fees in advance online: the payment core posts it to the BSS, which credits the account
    r = c.post(f"/mailbox/{row['id']}/renew", {"months": "3", "token": "tok-1"})
    assert r.status_code in (200, 302, 303), r.text[:400]
    gateway = world.pay.gateway("alpha")
    intent_id = gateway.checkouts[-1].intent_id
    intent = world.run(lambda: PaymentIntent.select().where(PaymentIntent.owner == "mailbox").first())
    assert (intent["amount_fen"], intent["purpose"]) == (1500, "mailbox_renewal")
    gateway.pay(intent_id)
    assert c.post("/pay/notify/fake", gateway.notification(intent_id), csrf=False).text == "success"
    assert box(world, address)["prepaid_fen"] == 1500
    posted = world.run(lambda: OutboxEvent.select().where(OutboxEvent.kind == "payment.posted"))
    assert posted and posted[0]["payload"]["metadata"]["account"] == account
    world.connector().balances[account] = LegacyBalance(account, 1600, dt.datetime.now(dt.timezone.utc), "prepaid")
    world.harness.run(runner.run_now("core.products.charge", "alpha"))
    assert box(world, address)["state"] == "active"
    assert imap_login(world, address, PASSWORD) == (True, "")
    kinds = [e["kind"] for e in world.run(lambda: OutboxEvent.select().order_by(OutboxEvent.id))]
    assert "mailbox.suspended" in kinds and "mailbox.resumed" in kinds and "charge.debited" in kinds


def test_a_closed_mailbox_cannot_be_renewed_or_forwarded(world):
    c = customer(world)
    apply(world, c, local="wu.liu")
    address = f"wu.liu@{world.domain}"
    approve(world, box(world, address)["order_id"])
    row = box(world, address)
    r = c.post(f"/mailbox/{row['id']}/forwarding", {"forward_to": "not an address"})
    assert r.status_code == 400 and field_errors(r.text)
    r = c.post(f"/mailbox/{row['id']}/forwarding", {"forward_to": "me@example.org"})
    assert r.status_code == 303
    sieve = world.dovecot.users_dir / "sieve" / world.domain / "wu.liu.sieve"
    assert 'redirect :copy "me@example.org";' in sieve.read_text()
    c.post(f"/mailbox/{row['id']}/stop", {})
    r = c.post(f"/mailbox/{row['id']}/renew", {"months": "3", "token": "t"})
    assert r.status_code == 400 and "该邮箱已停用，不能续费。" in r.text


def test_approval_while_dovecot_is_down_is_held_and_works_once_it_is_up(hall_factory, dovecot):
    from plugins.mailbox import server

    port = server.free_port()  # nothing listens here yet: the mail server is down
    world = build(hall_factory, dovecot, settings={"imap_port": port})
    c = customer(world)
    apply(world, c, local="feng")
    address = f"feng@{world.domain}"
    row = box(world, address)
    op = approve(world, row["order_id"])
    order = world.run(lambda: ProductOrder.select().where(ProductOrder.id == row["order_id"]).first())
    assert order["state"] == "held" and f"not reachable at 127.0.0.1:{port}" in order["problem"]
    second = server.LocalDovecot(dovecot.base / f"up-{port}", port, users=dovecot.users_dir, mail=dovecot.mail_root)
    second.start()  # the mail server is back, on the configured port
    try:
        page = op.get(f"/console/product-orders/{order['id']}")
        request_id = re.search(r"/console/product-requests/(\d+)/retry", page.text).group(1)
        assert op.post(f"/console/product-requests/{request_id}/retry", {}).status_code == 303
        assert box(world, address)["state"] == "active"
        world.dovecot = second
        assert imap_login(world, address, PASSWORD) == (True, "")
    finally:
        second.stop()
