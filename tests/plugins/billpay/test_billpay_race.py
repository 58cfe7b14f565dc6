"""Two tabs: "pay all" and "pay this month" sent at the same moment never pay a bill twice.

Each tab is its own app (as each web worker is its own process in production)
with its own connections, released together by a barrier; on PostgreSQL the
two requests really run at once on separate connections. Whatever the order,
the customer then pays every checkout the hall handed out - a tab whose
payment was replaced a moment later included, as a customer with a gateway
page still open would. No bill may be paid (fulfilled, posted to the legacy
system) twice; money taken twice is refunded.
"""

from __future__ import annotations

import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from billpay_support import customer_client
from test_billpay_pay import pay_at_gateway

from core.api.legacy import Bill, OutboxEvent
from core.api.payments import GatewayResult, PaymentIntent, get_intent, settle
from core.testing.crash import HUNG, REPO, child_env, python
from plugins.billpay.tables import BillPayment

ROUNDS = 6


async def fresh_bills(number: str, n: int) -> tuple[str, str]:
    """Two owed bills of months no other round uses: (older, newer) legacy ids."""
    older, newer = f"race{n}-old-{number}", f"race{n}-new-{number}"
    await Bill.insert(
        Bill(
            legacy_id=older, number=number, month=f"2019-{n + 1:02d}", amount_fen=1000 + n, paid_fen=0, status="unpaid"
        ),
        Bill(
            legacy_id=newer, number=number, month=f"2020-{n + 1:02d}", amount_fen=2000 + n, paid_fen=0, status="unpaid"
        ),
    )
    return older, newer


def at_once(tabs, forms):
    barrier = threading.Barrier(len(tabs))

    def send(client, form):
        barrier.wait()
        return client.post("/billpay/pay", form)

    with ThreadPoolExecutor(len(tabs)) as pool:
        return list(pool.map(send, tabs, forms))


async def bill_payments() -> list[dict]:
    return await BillPayment.select(BillPayment.bill_legacy_id, BillPayment.intent_id, BillPayment.amount_fen)


async def posted_bills() -> list[str]:
    rows = await OutboxEvent.select(OutboxEvent.payload).where(OutboxEvent.kind == "payment.posted")
    return [b["bill_id"] for r in rows for b in r["payload"]["metadata"]["bills"]]


def test_pay_all_and_pay_this_month_at_the_same_moment_never_pay_a_bill_twice(world):
    harness, plugin, ids = world
    number = ids["alpha"]["numbers"][0]
    tabs = [customer_client(harness, ids), customer_client(harness, ids)]
    answers = []
    for n in range(ROUNDS):
        _, newer = harness.in_tenant("alpha", fresh_bills, number, n)
        forms = [{"number": number, "mode": "all"}, {"number": number, "mode": "selected", "bill": newer}]
        if n % 2:
            forms.reverse()
        results = at_once(tabs, forms)
        answers += [r.status_code for r in results]
        assert all(r.status_code in (303, 409) for r in results), [(r.status_code, r.text[:300]) for r in results]
        for tab, r in zip(tabs, results):
            if r.status_code == 303:  # the customer pays every gateway page the hall handed out
                pay_at_gateway(harness, plugin, tab, r.headers["location"].rsplit("/", 1)[-1])

    assert 303 in answers
    paid = harness.in_tenant("alpha", bill_payments)
    per_bill: dict[str, int] = {}
    for row in paid:
        per_bill[row["bill_legacy_id"]] = per_bill.get(row["bill_legacy_id"], 0) + 1
    assert per_bill and max(per_bill.values()) == 1, per_bill  # no bill paid twice in the hall ...
    posted = harness.in_tenant("alpha", posted_bills)
    assert len(posted) == len(set(posted)), sorted(posted)  # ... nor written back to the legacy system twice
    assert sorted(posted) == sorted(per_bill)
    states = harness.in_tenant(
        "alpha",
        lambda: PaymentIntent.select(
            PaymentIntent.public_id, PaymentIntent.state, PaymentIntent.refunded_fen, PaymentIntent.amount_fen
        ),
    )
    fulfilled = {row["intent_id"] for row in paid}
    for intent in states:  # money taken for an intent that paid nothing is given back in full
        if intent["state"] in ("succeeded", "refunded") and intent["public_id"] not in fulfilled:
            assert (intent["state"], intent["refunded_fen"]) == ("refunded", intent["amount_fen"]), intent


def test_pay_answers_409_not_500_when_its_payment_was_replaced_while_going_to_the_gateway(world):
    """The other tab's request cancels this one's intent between its creation and its checkout."""
    from core.api.payments import cancel
    from core.api.testing import FakeProvider

    harness, plugin, ids = world
    number = ids["alpha"]["numbers"][0]
    client = customer_client(harness, ids)
    original = FakeProvider.create_checkout

    async def replaced_meanwhile(self, request):
        await cancel(harness.hall, request.intent_id, reason="replaced by another payment of the same bills")
        return await original(self, request)

    FakeProvider.create_checkout = replaced_meanwhile
    try:
        r = client.post("/billpay/pay", {"number": number, "mode": "all"})
    finally:
        FakeProvider.create_checkout = original
    assert r.status_code == 409 and 'data-state="canceled"' in r.text
    assert "No money was taken" in r.text or "未完成" in r.text
    intent_id = r.text.split('data-payment="', 1)[1].split('"', 1)[0]
    assert harness.in_tenant("alpha", get_intent, intent_id).state == "canceled"


DRIVER = str(Path(__file__).with_name("billpay_race_driver.py"))
PROCESS_ROUNDS = 3


def race_in_processes(env: dict, commands: list[list[str]]) -> list[str]:
    """Start one process per command, wait until every one is connected, then release them together; their last lines."""
    procs = [
        subprocess.Popen(
            c, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=REPO
        )
        for c in commands
    ]
    try:
        for proc in procs:
            line = proc.stdout.readline()
            assert line.strip() == "ready", line + proc.stdout.read()
        for proc in procs:
            proc.stdin.write("go\n")
            proc.stdin.flush()
        outputs = [proc.communicate(timeout=HUNG)[0].strip().splitlines() for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    assert all(p.returncode == 0 for p in procs), outputs
    return [out[-1] for out in outputs]


def test_pay_races_between_separate_processes_leave_one_payment_per_bill(world):
    """As two web workers: separate processes, separate connections (and on PostgreSQL, real concurrency in the database)."""
    harness, plugin, ids = world
    number = ids["alpha"]["numbers"][0]
    customer_id = ids["alpha"]["customer"].legacy_id
    env = child_env(HALL_CONFIG=str(harness.hall.settings.config_file))
    for n in range(PROCESS_ROUNDS):
        _, newer = harness.in_tenant("alpha", fresh_bills, number, 20 + n)
        lines = race_in_processes(
            env, [python(DRIVER, "alpha", customer_id, number, what) for what in ("all", newer, "all")]
        )
        assert all(line.split()[0] in ("intent", "refused") for line in lines), lines
        winners = {line.split()[1] for line in lines if line.startswith("intent")}
        assert winners, lines
        for intent_id in winners:  # the customer pays every page handed out: only open intents' money is kept
            intent = harness.in_tenant("alpha", get_intent, intent_id)
            plugin.gateway("alpha").pay(intent_id)
            harness.in_tenant(
                "alpha",
                settle,
                harness.hall,
                "fake",
                GatewayResult(intent_id, "T" + intent_id[-6:], "succeeded", intent.amount_fen, {}),
            )
    paid = harness.in_tenant("alpha", bill_payments)
    bills = [row["bill_legacy_id"] for row in paid]
    assert bills and len(bills) == len(set(bills)), sorted(bills)
    posted = harness.in_tenant("alpha", posted_bills)
    assert sorted(posted) == sorted(bills)
