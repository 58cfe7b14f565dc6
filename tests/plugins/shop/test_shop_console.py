"""The console: batches made, imported, stocked and exported with field errors on bad input (never a 500); orders held,
voided and refunded with a reason; permissions; the audit log."""

from __future__ import annotations

from shop_support import BUYER_PHONE, add_cards

from core.api.testing import add_operator, field_errors
from plugins.shop.tables import Batch, Card, Order, Product


def clerk_client(harness):
    client = harness.client("alpha")
    client.login_operator("shop-clerk")
    return client


def test_generate_import_stock_and_export_from_the_console(world):
    harness, _plugin, ids = world
    client = clerk_client(harness)
    page = client.get("/shop/console")
    assert page.status_code == 200 and "P50" in page.text
    bad = client.post("/shop/console/batches", {"product": str(ids["products"]["P50"]), "count": "x"})
    assert bad.status_code == 400 and "请输入 1 到 100000 之间的张数。" in field_errors(bad.text)
    ok = client.post(
        "/shop/console/batches", {"product": str(ids["products"]["P50"]), "count": "4"}, follow_redirects=False
    )
    assert ok.status_code in (302, 303)
    batch = harness.in_tenant("alpha", lambda: Batch.select().first())
    assert client.post(f"/shop/console/batches/{batch['id']}/stock", {}, follow_redirects=False).status_code in (
        302,
        303,
    )
    states = harness.in_tenant("alpha", lambda: Card.select(Card.state).where(Card.batch_id == batch["id"]))
    assert {s["state"] for s in states} == {"in_stock"}
    export = client.get(f"/shop/console/batches/{batch['id']}/export")
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    assert export.headers["cache-control"] == "no-store" and len(export.text.strip().splitlines()) == 5
    wrong = client.post(
        "/shop/console/batches/import", {"product": str(ids["products"]["P100"]), "csv": "serial,pin\nAB12,123\n"}
    )
    assert wrong.status_code == 400 and "第 2 行：密码须为 16 到 24 位数字。" in field_errors(wrong.text)
    good = client.post(
        "/shop/console/batches/import",
        {"product": str(ids["products"]["P100"]), "csv": "serial,pin\nSUPX0001,1234567890123456\n"},
        follow_redirects=False,
    )
    assert good.status_code in (302, 303)
    assert client.post("/shop/console/batches/999999/stock", {}).status_code == 404
    add_operator(harness, "alpha", "shop-auditor", permissions=["core.audit.view"])
    auditor = harness.client("alpha")
    auditor.login_operator("shop-auditor")
    log = auditor.get("/console/audit").text
    assert "生成了卡批次" in log and "导出了卡批次印制文件" in log and "导入了卡批次" in log


def test_a_viewer_cannot_make_cards_and_a_customer_cannot_open_the_console(world):
    harness, _plugin, ids = world
    add_operator(harness, "alpha", "shop-viewer", permissions=["shop.view"])
    viewer = harness.client("alpha")
    viewer.login_operator("shop-viewer")
    assert viewer.get("/shop/console").status_code == 200
    refused = viewer.post("/shop/console/batches", {"product": str(ids["products"]["P50"]), "count": "3"})
    assert refused.status_code == 403 and harness.in_tenant("alpha", Batch.count) == 0
    customer = harness.client("alpha")
    customer.login_customer(BUYER_PHONE)
    assert customer.get("/shop/console", follow_redirects=False).status_code in (302, 303, 403, 404)


def test_an_operator_holds_then_voids_and_refunds_a_paid_order(world):
    harness, plugin, ids = world
    add_cards(harness, ids["products"]["P50"], 2)
    buyer = harness.client("alpha")
    buyer.login_customer(BUYER_PHONE)
    buyer.post("/shop/p/P50/buy", {})
    order = harness.in_tenant("alpha", lambda: Order.select().first())
    gateway = plugin.gateway("alpha")
    gateway.pay(order["intent_id"])
    buyer.post("/pay/notify/fake", gateway.notification(order["intent_id"]), csrf=False)
    client = clerk_client(harness)
    page = client.get(f"/shop/console/orders/{order['number']}")
    assert page.status_code == 200 and "卡密待查看" in page.text
    no_reason = client.post(f"/shop/console/orders/{order['number']}/hold", {"reason": ""})
    assert no_reason.status_code == 400 and field_errors(no_reason.text)
    held = client.post(
        f"/shop/console/orders/{order['number']}/hold", {"reason": "customer called"}, follow_redirects=False
    )
    assert held.status_code in (302, 303)
    assert harness.in_tenant("alpha", lambda: Order.select().first())["state"] == "on_hold"
    assert "该订单已挂起" in buyer.get(f"/shop/orders/{order['number']}").text
    assert buyer.post(f"/shop/orders/{order['number']}/show", {}).text.count("shop-pin") == 0
    void = client.post(
        f"/shop/console/orders/{order['number']}/void", {"reason": "fraud suspected"}, follow_redirects=False
    )
    assert void.status_code in (302, 303)
    after = harness.in_tenant("alpha", lambda: Order.select().first())
    card = harness.in_tenant("alpha", lambda: Card.select().where(Card.id == after["card_id"]).first())
    assert after["state"] == "void" and after["reason"] == "fraud suspected" and card["state"] == "void"
    assert sum(gateway.trades[order["intent_id"]].refunds.values()) == 4900
    again = client.post(f"/shop/console/orders/{order['number']}/void", {"reason": "twice"})
    assert again.status_code == 409


def test_the_catalog_editor_adds_and_changes_products_with_errors_next_to_fields(world):
    harness, _plugin, ids = world
    client = clerk_client(harness)
    assert client.get("/shop/console/catalog").status_code == 200
    bad = client.post(
        "/shop/console/catalog/save",
        {
            "code": "x",
            "name_zh": "",
            "name_en": "Card",
            "category": "0",
            "delivery": "electronic",
            "face_value": "abc",
            "price": "20",
            "promo_from": "2026-13-01",
            "low_stock": "5",
            "active": "1",
        },
    )
    errors = field_errors(bad.text)
    assert bad.status_code == 400 and "请使用 2 到 32 个大写字母、数字、- 或 _。" in errors
    assert "请输入以元为单位的金额，如 49.50。" in errors and "请按 YYYY-MM-DD 格式输入日期。" in errors
    good = client.post(
        "/shop/console/catalog/save",
        {
            "code": "net30",
            "name_zh": "30元上网卡",
            "name_en": "¥30 internet card",
            "category": "0",
            "delivery": "electronic",
            "face_value": "30",
            "price": "29.5",
            "promo_price": "25",
            "promo_from": "2026-01-01",
            "promo_until": "2026-01-31",
            "low_stock": "3",
            "active": "1",
        },
        follow_redirects=False,
    )
    assert good.status_code in (302, 303), field_errors(good.text)
    row = harness.in_tenant("alpha", lambda: Product.select().where(Product.code == "NET30").first())
    assert (row["price_fen"], row["promo_price_fen"], row["face_value_fen"]) == (2950, 2500, 3000)
    assert row["promo_from"].isoformat() == "2025-12-31T16:00:00+00:00"  # the tenant's midnight, in UTC
    assert row["promo_until"].isoformat() == "2026-01-31T16:00:00+00:00"  # through the last day
    page = client.get(f"/shop/console/catalog/{row['id']}")
    assert 'value="2026-01-31"' in page.text and 'value="29.50"' in page.text and 'value="NET30"' in page.text
    same_code = client.post(
        "/shop/console/catalog/save",
        {
            "product_id": str(ids["products"]["P50"]),
            "code": "NET30",
            "name_zh": "x",
            "name_en": "x",
            "category": "0",
            "delivery": "electronic",
            "face_value": "50",
            "price": "49",
            "low_stock": "2",
            "active": "1",
        },
    )
    assert same_code.status_code == 400 and "已有商品使用此编码。" in field_errors(same_code.text)
    cat = client.post(
        "/shop/console/catalog/category",
        {"parent": "0", "cat_zh": "上网卡", "cat_en": "Internet cards"},
        follow_redirects=False,
    )
    assert cat.status_code in (302, 303)


def test_the_catalog_editor_edits_attributes_line_by_line(world):
    harness, _plugin, _ids = world
    client = clerk_client(harness)
    base = {"code": "SIM9", "name_zh": "SIM 卡", "name_en": "SIM", "category": "0", "delivery": "physical"}
    base |= {"face_value": "1", "price": "10", "low_stock": "2", "active": "1"}
    bad = client.post("/shop/console/catalog/save", {**base, "attrs_zh": "颜色：红\n没有冒号", "attrs_en": ""})
    assert bad.status_code == 400 and field_errors(bad.text) == ["第 2 行：请每行写一项属性，格式为“名称: 内容”。"]
    good = client.post(
        "/shop/console/catalog/save",
        {**base, "attrs_zh": "颜色：红\n规格: 三合一", "attrs_en": "Colour: red"},
        follow_redirects=False,
    )
    assert good.status_code in (302, 303), field_errors(good.text)
    row = harness.in_tenant(
        "alpha", lambda: Product.select().where(Product.code == "SIM9").output(load_json=True).first()
    )
    assert row["attributes"] == {"zh": {"颜色": "红", "规格": "三合一"}, "en": {"Colour": "red"}}
    page = client.get(f"/shop/console/catalog/{row['id']}")
    assert "颜色: 红\n规格: 三合一</textarea>" in page.text
    assert "三合一" in harness.client("alpha").get("/shop/p/SIM9").text


def test_sales_statistics_show_totals_rankings_conversion_and_a_csv(world):
    harness, plugin, ids = world
    add_cards(harness, ids["products"]["P50"], 3)
    buyer = harness.client("alpha")
    buyer.login_customer(BUYER_PHONE)
    buyer.get("/shop/p/P50")
    buyer.post("/shop/p/P50/buy", {})
    buyer.post("/shop/p/P50/buy", {})
    first = harness.in_tenant("alpha", lambda: Order.select().order_by(Order.id).first())
    gateway = plugin.gateway("alpha")
    gateway.pay(first["intent_id"])
    buyer.post("/pay/notify/fake", gateway.notification(first["intent_id"]), csrf=False)
    client = clerk_client(harness)
    page = client.get("/shop/console/stats", params={"days": "30"})
    assert page.status_code == 200
    assert "商品浏览 1 次 → 下单 2 笔 → 付款 1 笔" in page.text and "¥49.00" in page.text and "<rect" in page.text
    csv_text = client.get("/shop/console/stats.csv", params={"days": "30"}).text
    assert csv_text.lstrip("\ufeff").splitlines()[0] == "day,cards,amount_yuan" and csv_text.strip().endswith(
        ",1,49.00"
    )
    assert client.get("/shop/console/stats", params={"days": "x"}).status_code == 400
