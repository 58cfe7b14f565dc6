"""The e-invoice provider: a plugin registers one; a failure leaves the invoice pending and a retry issues it once; numbers never skip or repeat."""

from __future__ import annotations

import asyncio

import pytest
from billpay_support import bill_id, build, customer_client, seed_bills
from test_billpay_pay import intent_of, pay_at_gateway

from core.api import hookimpl
from core.api.payments import get_intent
from plugins.billpay import invoice as invoices
from plugins.billpay.einvoice import ProviderError
from plugins.billpay.einvoice_local import LocalProvider
from plugins.billpay.issuing import issue_pending
from plugins.billpay.tables import Invoice, LocalEInvoice


class FlakyPlatform:
    """A test plugin registering e-invoice provider ``flaky``: the local stand-in, failing or losing answers on demand."""

    def __init__(self):
        self.down = 0  # the next N issue calls fail before issuing
        self.lost = 0  # the next N issue calls issue, then the answer is lost
        self.calls: list[tuple[str, str]] = []

    @hookimpl(optionalhook=True)
    def register_invoice_providers(self, hall):
        platform = self

        class Flaky(LocalProvider):
            name = "flaky"

            async def issue(self, doc):
                platform.calls.append(("issue", doc.request_no))
                if platform.down:
                    platform.down -= 1
                    raise ProviderError("platform unavailable")
                issued = await super().issue(doc)
                if platform.lost:
                    platform.lost -= 1
                    raise TimeoutError("no answer")
                return issued

            async def query(self, request_no):
                platform.calls.append(("query", request_no))
                return await super().query(request_no)

        return {"flaky": lambda hall, tenant, settings: Flaky(hall, tenant, settings)}


@pytest.fixture
def flaky(hall_factory):
    platform = FlakyPlatform()
    return (*build(hall_factory, {"invoice_provider": "flaky"}, extra_plugins={"flakyinvoice": platform}), platform)


def paid(harness, plugin, ids, month="2024-05", number=None, tid="alpha"):
    client = customer_client(harness, ids, tid)
    number = number or ids[tid]["numbers"][0]
    intent_id = intent_of(client.post("/billpay/pay", {"number": number, "bill": bill_id(tid, number, month)}))
    pay_at_gateway(harness, plugin, client, intent_id, tid)
    return client, intent_id


def invoice_row(harness, intent_id):
    return harness.in_tenant("alpha", lambda: Invoice.select().where(Invoice.intent_id == intent_id).first())


def test_a_provider_failure_leaves_the_invoice_pending_and_the_retry_issues_it_once(flaky):
    harness, plugin, ids, platform = flaky
    client, intent_id = paid(harness, plugin, ids)
    platform.down = 2
    assert client.post(f"/billpay/invoice/{intent_id}", {"kind": "personal", "title": "张三"}).status_code == 303
    row = invoice_row(harness, intent_id)
    assert (row["state"], row["attempts"], row["provider"]) == (
        "pending",
        1,
        "flaky",
    ) and "platform unavailable" in row["last_error"]
    page = client.get(f"/billpay/invoice/{intent_id}").text
    assert 'data-state="pending"' in page and "开具中" in page
    assert (
        client.post(f"/billpay/invoice/{intent_id}", {"kind": "personal", "title": "李四"}).status_code == 409
    )  # asked once
    clerk = harness.client("alpha")
    clerk.login_operator("alpha-clerk")
    pending = clerk.get("/billpay/console/invoices")
    assert (
        pending.status_code == 200
        and f'data-pending="{row["invoice_no"]}"' in pending.text
        and "platform unavailable" in pending.text
    )
    assert harness.in_tenant("alpha", issue_pending, harness.hall) == 0  # still down
    assert harness.in_tenant("alpha", issue_pending, harness.hall) == 1  # back: issued
    row = invoice_row(harness, intent_id)
    assert (
        (row["state"], row["attempts"], row["last_error"]) == ("issued", 3, "")
        and row["provider_no"]
        and row["verify_code"]
    )
    assert harness.in_tenant("alpha", issue_pending, harness.hall) == 0
    assert harness.in_tenant("alpha", LocalEInvoice.count) == 1
    assert f'data-pending="{row["invoice_no"]}"' not in clerk.get("/billpay/console/invoices").text
    assert [c for c in platform.calls if c[0] == "issue"] == [("issue", row["invoice_no"])] * 3


def test_an_answer_lost_after_issuing_is_found_by_query_not_issued_twice(flaky):
    harness, plugin, ids, platform = flaky
    client, intent_id = paid(harness, plugin, ids)
    platform.lost = 1
    assert client.post(f"/billpay/invoice/{intent_id}", {"kind": "personal", "title": "张三"}).status_code == 303
    assert invoice_row(harness, intent_id)["state"] == "pending"
    stored = harness.in_tenant("alpha", lambda: LocalEInvoice.select().first())
    assert harness.in_tenant("alpha", issue_pending, harness.hall) == 1
    row = invoice_row(harness, intent_id)
    assert (row["provider_no"], row["verify_code"]) == (stored["provider_no"], stored["verify_code"])
    assert platform.calls[-1] == ("query", row["invoice_no"]) and sum(1 for c in platform.calls if c[0] == "issue") == 1
    assert harness.in_tenant("alpha", LocalEInvoice.count) == 1


def test_invoice_numbers_have_no_gap_and_no_duplicate_when_asked_at_once(flaky):
    harness, plugin, ids, platform = flaky
    number = ids["alpha"]["numbers"][0]
    months = [f"2023-{m:02d}" for m in range(1, 9)]
    harness.in_tenant(
        "alpha", seed_bills, number, "alpha", tuple((m, 1000 + i, 0, "unpaid") for i, m in enumerate(months))
    )
    intents = [paid(harness, plugin, ids, month)[1] for month in [*months, "2024-05"]]
    settings = harness.tenant("alpha").plugin_settings("billpay")

    async def ask_all():
        loaded = [await get_intent(i) for i in intents]
        fields = {"kind": "personal", "title": "张三", "tax_number": ""}
        asks = [
            invoices.request(i, fields, settings, seller_name="s", fallback_name="x") for i in loaded for _ in range(2)
        ]
        return await asyncio.gather(*asks)

    results = harness.in_tenant("alpha", ask_all)
    assert sum(created for _, created in results) == len(intents)  # each payment once, however often asked at once
    numbers = sorted(r["invoice_no"] for r, created in results if created)
    assert numbers == [f"FP{n:010d}" for n in range(1, len(intents) + 1)]
    assert {r["intent_id"]: r["invoice_no"] for r, _ in results} == {
        row["intent_id"]: row["invoice_no"] for row in harness.in_tenant("alpha", lambda: Invoice.select())
    }
    # the other tenant counts on its own
    _, theirs = paid(harness, plugin, ids, tid="beta")
    client = customer_client(harness, ids, "beta")
    assert client.post(f"/billpay/invoice/{theirs}", {"kind": "personal", "title": "Jane"}).status_code == 303
    assert harness.in_tenant("beta", lambda: Invoice.select(Invoice.invoice_no).first())["invoice_no"] == "FP0000000001"
