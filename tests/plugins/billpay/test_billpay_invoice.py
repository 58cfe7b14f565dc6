"""Invoices: title and tax number checked (unified social credit code), issued once per payment, a PDF that reads back."""

from __future__ import annotations

import io

from billpay_support import bill_id, customer_client
from pypdf import PdfReader
from test_billpay_pay import intent_of, pay_at_gateway

from core.api.testing import field_errors

VALID_USCC = "91330106MA27XK8C3E"


def paid_payment(world, tid="alpha"):
    harness, plugin, ids = world
    client = customer_client(harness, ids, tid)
    number = ids[tid]["numbers"][0]
    intent_id = intent_of(client.post("/billpay/pay", {"number": number, "bill": bill_id(tid, number, "2024-05")}))
    pay_at_gateway(harness, plugin, client, intent_id, tid)
    return client, intent_id


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def test_a_company_invoice_with_a_valid_code_is_issued_once_as_a_pdf(world):
    client, intent_id = paid_payment(world)
    form = client.get(f"/billpay/invoice/{intent_id}")
    assert form.status_code == 200 and 'name="tax_number"' in form.text
    r = client.post(
        f"/billpay/invoice/{intent_id}",
        {"kind": "company", "title": "杭州测试科技有限公司", "tax_number": VALID_USCC.lower()},
    )
    assert r.status_code == 303 and r.headers["location"].endswith(f"/billpay/invoice/{intent_id}")
    page = client.get(f"/billpay/invoice/{intent_id}").text
    assert "杭州测试科技有限公司" in page and VALID_USCC in page and "invoice-pdf" in page
    pdf = client.get(f"/billpay/invoice/{intent_id}/pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "杭州测试科技有限公司" in text and VALID_USCC in text and "¥99.20" in text and intent_id in text
    again = client.post(f"/billpay/invoice/{intent_id}", {"kind": "personal", "title": "张三"})
    assert again.status_code == 409 and "张三" not in client.get(f"/billpay/invoice/{intent_id}").text
    assert (
        "Invoice" in client.get(f"/billpay/receipt/{intent_id}").text
        or "发票" in client.get(f"/billpay/receipt/{intent_id}").text
    )


def test_a_personal_invoice_needs_no_tax_number(world):
    client, intent_id = paid_payment(world)
    assert client.post(f"/billpay/invoice/{intent_id}", {"kind": "personal", "title": "张三"}).status_code == 303
    assert "张三" in pdf_text(client.get(f"/billpay/invoice/{intent_id}/pdf").content)


def test_a_wrong_tax_number_is_a_field_error_in_the_users_language(world):
    client, intent_id = paid_payment(world)  # alpha: zh_CN
    r = client.post(
        f"/billpay/invoice/{intent_id}",
        {"kind": "company", "title": "杭州测试科技有限公司", "tax_number": "91330106MA27XK8C3F"},
    )
    assert r.status_code == 400 and field_errors(r.text) == ["这不是有效的统一社会信用代码（请核对 18 位字符）。"]
    r = client.post(
        f"/billpay/invoice/{intent_id}", {"kind": "company", "title": "杭州测试科技有限公司", "tax_number": ""}
    )
    assert r.status_code == 400 and field_errors(r.text) == ["企业发票须填写企业税号。"]
    r = client.post(f"/billpay/invoice/{intent_id}", {"kind": "company", "title": "", "tax_number": "12345"})
    assert r.status_code == 400 and len(field_errors(r.text)) == 2
    assert client.get(f"/billpay/invoice/{intent_id}/pdf").status_code == 404  # nothing issued


def test_a_customer_who_chose_english_reads_it_in_english(world):
    client, intent_id = paid_payment(world, "beta")
    assert client.post("/language", {"language": "en"}).status_code == 303
    r = client.post(
        f"/billpay/invoice/{intent_id}", {"kind": "company", "title": "Test Ltd", "tax_number": "91330106MA27XK8C3F"}
    )
    assert field_errors(r.text) == ["This is not a valid unified social credit code (check the 18 characters)."]


def test_no_invoice_for_an_unpaid_payment(world):
    harness, _, ids = world
    client = customer_client(harness, ids)
    number = ids["alpha"]["numbers"][0]
    intent_id = intent_of(client.post("/billpay/pay", {"number": number, "mode": "all"}))
    r = client.post(f"/billpay/invoice/{intent_id}", {"kind": "personal", "title": "张三"})
    assert r.status_code == 409 and client.get(f"/billpay/invoice/{intent_id}/pdf").status_code == 404


def test_tax_number_rules_without_a_hall():
    from core.api.web import Form
    from plugins.billpay.invoice import check

    def errors(**data):
        form = Form({"kind": "company", "title": "某公司", **data})
        check(form)
        return {k: v[0] for k, v in form.errors.items()}

    assert errors(tax_number="9133 0106-ma27xk8c3e") == {}  # spaces, dashes and case do not matter
    assert errors(tax_number="330106123456789") == {}  # an older 15-character taxpayer number
    assert errors(tax_number="33010612345678901234") == {}  # and a 20-character one
    assert set(errors(tax_number="3301061234567890")) == {"tax_number"}  # 16
    assert set(errors(tax_number="91330106MA27XK8C3!")) == {"tax_number"}
    assert set(errors(kind="shop", tax_number="")) == {"kind"}
    assert set(errors(title="x" * 101, tax_number=VALID_USCC)) == {"title"}


def fonts_of(body: bytes) -> list[tuple[str, str]]:
    """(base font, text) of every text run on the PDF's pages."""
    seen: list[tuple[str, str]] = []
    for page in PdfReader(io.BytesIO(body)).pages:
        page.extract_text(
            visitor_text=lambda text, cm, tm, font, size: (
                seen.append((str(font.get("/BaseFont", "")) if font else "", text)) if text.strip() else None
            )
        )
    return seen


def test_the_english_pdf_sets_latin_in_helvetica_so_letters_are_not_spread(world):
    """ "C all records": Latin in the non-embedded CID font gets that font's widths but the reader's glyphs (core/pdf.py)."""
    client, intent_id = paid_payment(world, "beta")  # beta: English
    assert (
        client.post(
            f"/billpay/invoice/{intent_id}", {"kind": "company", "title": "Test Trading Ltd", "tax_number": VALID_USCC}
        ).status_code
        == 303
    )
    body = client.get(f"/billpay/invoice/{intent_id}/pdf").content
    text = pdf_text(body)
    for shown in (
        "Electronic invoice (VAT general invoice)",
        "Seller: 测试电信有限公司",
        "Seller tax number: 91330106MA27XK8C3E",
        "Buyer: Test Trading Ltd",
        "Telecom services 9% 91.01 8.19 99.20",
        "Total 91.01 8.19 ¥99.20",
    ):
        assert shown in text, (shown, text)
    runs = fonts_of(body)
    assert all(font.endswith("Helvetica") for font, run in runs if any(ch.isascii() and ch.isalpha() for ch in run)), (
        runs
    )
    assert ("/STSong-Light", "测试电信有限公司") in [(font, run.strip()) for font, run in runs]


def test_a_tenant_without_a_seller_tax_number_says_so_instead_of_issuing(hall_factory):
    from billpay_support import build

    world = build(hall_factory, {"invoice_issuer_tax_number": ""})
    client, intent_id = paid_payment(world)
    r = client.post(f"/billpay/invoice/{intent_id}", {"kind": "personal", "title": "张三"})
    assert r.status_code == 409 and "销售方税号尚未配置" in r.text
    assert client.get(f"/billpay/invoice/{intent_id}/pdf").status_code == 404
