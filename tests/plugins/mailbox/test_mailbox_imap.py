"""The mailbox loop on a real Dovecot: apply in the browser's forms, an operator approves on the console, and IMAP
log-in succeeds only then; the quota Dovecot reports is the product's; a new password locks the old one out; a
suspension, a stop and the removal after the retention period all hold against the real server."""

from __future__ import annotations

import datetime as dt
from mailbox_support import MOBILE, PASSWORD, apply, approve, box, customer, imap_append, imap_login, imap_quota_kib

from core.api.products import Product, ProductOrder, act
from plugins.mailbox import jobs
from plugins.mailbox.tables import Mailbox


def test_login_works_after_approval_only_with_the_products_quota_and_the_current_password(world):
    c = customer(world)
    r = apply(world, c)
    assert r.status_code == 303 and "/account/product-orders/" in r.headers["location"], r.text[:800]
    address = f"zhang.san@{world.domain}"
    row = box(world, address)
    assert row["state"] == "applied" and row["password_hash"].startswith("{ARGON2ID}$argon2id$")
    assert PASSWORD not in row["password_hash"]
    assert imap_login(world, address, PASSWORD)[0] is False  # before approval: Dovecot does not know it

    order = world.run(lambda: ProductOrder.select().where(ProductOrder.id == row["order_id"]).first())
    assert (order["process"], order["state"]) == ("mailbox.apply", "acknowledged")
    approve(world, order["id"])
    row = box(world, address)
    assert row["state"] == "active", row
    order = world.run(lambda: ProductOrder.select().where(ProductOrder.id == row["order_id"]).first())
    assert order["state"] == "completed"
    product = world.run(lambda: Product.select().where(Product.id == row["product_id"]).first())
    assert (product["specification"], product["state"], product["number"]) == ("mailbox", "active", MOBILE)

    assert imap_login(world, address, PASSWORD) == (True, "")
    assert imap_quota_kib(world, address, PASSWORD) == 1024 * 1024  # mail-1g: 1024 MiB, in KiB

    page = c.get(f"/mailbox/{row['id']}")
    assert page.status_code == 200 and address in page.text
    r = c.post(f"/mailbox/{row['id']}/password", {"password": "Other-pass-77", "password2": "Other-pass-77"})
    assert r.status_code == 303 and "done=password" in r.headers["location"]
    assert imap_login(world, address, PASSWORD)[0] is False
    assert imap_login(world, address, "Other-pass-77") == (True, "")


def test_suspension_stop_and_removal_after_the_retention_period(world):
    c = customer(world)
    apply(world, c, local="li.si")
    address = f"li.si@{world.domain}"
    approve(world, box(world, address)["order_id"])
    row = box(world, address)
    assert imap_login(world, address, PASSWORD)[0] is True

    world.run(
        act, world.hall, world.tenant, row["product_id"], "suspend", key="t-suspend", params={"reason": "arrears"}
    )
    assert box(world, address)["state"] == "suspended"
    ok, answer = imap_login(world, address, PASSWORD)
    assert ok is False and "Suspended" in answer
    world.run(act, world.hall, world.tenant, row["product_id"], "resume", key="t-resume", params={"reason": "arrears"})
    assert box(world, address)["state"] == "active"
    imap_append(world, address, PASSWORD)
    home = world.dovecot.mail_root / world.domain / "li.si"
    assert list((home / "Maildir").rglob("*hello*")) or any((home / "Maildir" / "new").iterdir())

    r = c.post(f"/mailbox/{row['id']}/stop", {})
    assert r.status_code == 303, r.text[:500]
    row = box(world, address)
    assert row["state"] == "stopped"
    assert imap_login(world, address, PASSWORD)[0] is False
    keep = row["keep_until"] - dt.datetime.now(dt.timezone.utc)
    assert dt.timedelta(days=6, hours=23) < keep <= dt.timedelta(days=7)
    assert world.run(jobs.purge, world.hall, "alpha") == 0 and home.is_dir()  # kept for 7 days
    world.run(
        lambda: Mailbox.update({Mailbox.keep_until: dt.datetime.now(dt.timezone.utc)}).where(Mailbox.id == row["id"])
    )
    assert world.run(jobs.purge, world.hall, "alpha") == 1
    assert not home.exists() and box(world, address)["state"] == "removed"
    kinds = [e["kind"] for e in world.run(_events)]
    assert kinds == ["mailbox.opened", "mailbox.suspended", "mailbox.resumed", "mailbox.stopped", "mailbox.removed"]


async def _events():
    from core.api.legacy import OutboxEvent

    rows = await OutboxEvent.select().order_by(OutboxEvent.id)
    return [r for r in rows if r["kind"].startswith("mailbox.")]
