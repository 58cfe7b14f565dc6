"""CSV and PDF exports (same filters as the page, masked, no spreadsheet formulas), step-up before call records,
and the operators' view of the access trail."""

from __future__ import annotations

import csv
import io
import re

from bills_support import build, customer_client
from pypdf import PdfReader

from core.notify.tables import Message
from plugins.bills.tables import CallAccess, StepUp


def test_csv_export_follows_the_filters_is_masked_and_formula_safe(world):
    harness, ids = world
    number = ids["alpha"]["numbers"][0]
    client = customer_client(harness, ids)
    r = client.get(f"/bills/{number}/calls.csv", params={"month": "2024-05", "sort": "charge", "order": "desc"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"] == f'attachment; filename="calls-{number}-2024-05.csv"'
    assert r.headers["cache-control"] == "no-store" and r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0] == ["时间", "对方号码", "类型", "时长（秒）", "费用（元）"] and len(rows) == 1 + 32
    charges = [int(row[4].replace(".", "")) for row in rows[1:]]
    assert charges == sorted(charges, reverse=True)
    assert all(not re.fullmatch(r"\d{11}", row[1]) for row in rows[1:])
    assert all(not row[1].startswith("=") for row in rows[1:]) and "'=cmd|0" in [row[1] for row in rows[1:]]
    sms = client.get(f"/bills/{number}/calls.csv", params={"month": "2024-05", "type": "sms"})
    assert {row[2] for row in list(csv.reader(io.StringIO(sms.content.decode("utf-8-sig"))))[1:]} == {"短信"}


def test_pdf_export_reads_back_with_its_records_and_total(world):
    harness, ids = world
    number = ids["alpha"]["numbers"][0]
    r = customer_client(harness, ids).get(f"/bills/{number}/calls.pdf", params={"month": "2024-05", "type": "local"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf" and r.content.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(r.content)).pages)
    assert number in text and "2024-05" in text and "type=local" in text
    # local: i % 5 == 0 for i < 30 (six calls: 0.00, 0.50, 0.30, 0.10, 0.60, 0.40) and the two boundary calls (0.01, 0.02)
    assert "8" in text and "1.93" in text and "021****5678" in text and "02112345678" not in text


def test_exports_are_in_the_access_trail_with_their_kind(world):
    harness, ids = world
    number = ids["alpha"]["numbers"][0]
    client = customer_client(harness, ids)
    client.get(f"/bills/{number}/calls.csv", params={"month": "2024-04", "called": "0013"})
    client.get(f"/bills/{number}/calls.pdf", params={"month": "2024-05"})
    rows = harness.in_tenant(
        "alpha", lambda: CallAccess.select(CallAccess.kind, CallAccess.month).order_by(CallAccess.id)
    )
    assert rows == [{"kind": "csv", "month": "2024-04"}, {"kind": "pdf", "month": "2024-05"}]
    log = client.get("/bills/access-log").text
    assert "导出为 CSV" in log and "导出为 PDF" in log


def test_an_export_with_a_bad_filter_is_a_400_page_not_a_file(world):
    harness, ids = world
    r = customer_client(harness, ids).get(f"/bills/{ids['alpha']['numbers'][0]}/calls.csv", params={"type": "premium"})
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/html") and "从列表中选择" in r.text
    assert harness.in_tenant("alpha", CallAccess.count) == 0


def sms_code(harness, phone: str) -> str:
    async def last():
        return (
            await Message.select(Message.body_text)
            .where((Message.channel == "sms") & (Message.recipient == phone))
            .order_by(Message.id, ascending=False)
            .first()
        )

    return re.search(r"\b(\d{6})\b", harness.in_tenant("alpha", last)["body_text"]).group(1)


def flow_of(html: str) -> str:
    return re.search(r'name="flow" value="([^"]+)"', html).group(1)


def test_step_up_asks_for_a_fresh_code_before_records_or_exports(hall_factory):
    harness, ids = build(hall_factory, calls_step_up=True)
    number = ids["alpha"]["numbers"][0]
    client = customer_client(harness, ids)
    for kind in ("calls", "calls.csv", "calls.pdf"):
        r = client.get(f"/bills/{number}/{kind}", params={"month": "2024-05"}, follow_redirects=False)
        assert r.status_code == 303 and "/bills/step-up?next=" in r.headers["location"], kind
    assert harness.in_tenant("alpha", CallAccess.count) == 0
    page = client.get(f"/bills/step-up?next=/bills/{number}/calls%3Fmonth%3D2024-05")
    assert page.status_code == 200 and "139****0001" in page.text  # the phone on file, masked
    sent = client.post("/bills/step-up/send", {"channel": "sms", "next": f"/bills/{number}/calls?month=2024-05"})
    assert sent.status_code == 200
    flow = flow_of(sent.text)
    wrong = client.post(
        "/bills/step-up/verify",
        {
            "flow": flow,
            "code": "000000" if sms_code(harness, "13900000001") != "000000" else "111111",
            "next": f"/bills/{number}/calls?month=2024-05",
        },
    )
    assert wrong.status_code == 400 and "验证码不正确" in wrong.text
    ok = client.post(
        "/bills/step-up/verify",
        {"flow": flow, "code": sms_code(harness, "13900000001"), "next": f"/bills/{number}/calls?month=2024-05"},
    )
    assert ok.status_code == 303 and ok.headers["location"] == f"/bills/{number}/calls?month=2024-05"
    assert client.get(f"/bills/{number}/calls", params={"month": "2024-05"}).status_code == 200
    assert client.get(f"/bills/{number}/calls.csv", params={"month": "2024-05"}).status_code == 200
    assert harness.in_tenant("alpha", StepUp.count) == 1
    # a new session (log in again, or someone else's browser) is asked again
    again = customer_client(harness, ids)
    assert again.get(f"/bills/{number}/calls", follow_redirects=False).status_code == 303


def test_step_up_redirects_only_to_bills_pages(hall_factory):
    harness, ids = build(hall_factory, calls_step_up=True)
    client = customer_client(harness, ids)
    sent = client.post("/bills/step-up/send", {"channel": "sms", "next": "https://evil.example.com/"})
    ok = client.post(
        "/bills/step-up/verify",
        {"flow": flow_of(sent.text), "code": sms_code(harness, "13900000001"), "next": "//evil.example.com/bills/"},
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/bills/"
    assert client.post("/bills/step-up/send", {"channel": "pigeon"}).status_code == 400


def test_operators_see_the_tenants_trail_with_permission_only(world):
    harness, ids = world
    number = ids["alpha"]["numbers"][0]
    customer_client(harness, ids).get(f"/bills/{number}/calls")
    customer_client(harness, ids, "beta").get(f"/bills/{ids['beta']['numbers'][0]}/calls")
    auditor = harness.client("alpha")
    auditor.login_operator("alpha-auditor")
    page = auditor.get("/bills/console/access-log")
    assert page.status_code == 200 and number in page.text and ids["beta"]["numbers"][0] not in page.text
    assert number not in auditor.get("/bills/console/access-log", params={"number": "13900000999"}).text
    plain = harness.client("alpha")
    plain.login_operator("alpha-plain")
    assert plain.get("/bills/console/access-log").status_code == 403
