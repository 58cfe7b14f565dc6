"""Card batches: sequential serials, PINs from secrets kept only hashed and sealed, CSV import, export, the stock audit."""

from __future__ import annotations

import pytest
from shop_support import add_cards, pins_of

from plugins.shop import batches
from plugins.shop.alerts import open_alerts
from plugins.shop.audit import audit_stock, count_batches
from plugins.shop.pins import keys_for
from plugins.shop.tables import Batch, Card


def test_a_generated_batch_has_sequential_serials_and_no_pin_in_the_clear(world):
    harness, _plugin, ids = world
    batch = add_cards(harness, ids["products"]["P50"], 25)
    rows = harness.in_tenant("alpha", lambda: Card.select().where(Card.batch_id == batch["id"]).order_by(Card.id))
    assert [r["serial"] for r in rows] == [f"{batch['code']}{n:06d}" for n in range(1, 26)]
    pins = pins_of(harness, batch["id"])
    assert all(len(p) == 18 and p.isdigit() for p in pins.values()) and len(set(pins.values())) == 25
    stored = repr(rows)
    assert not any(pin in stored for pin in pins.values())  # neither hash nor sealed copy shows the PIN
    keys = keys_for(harness.hall, harness.tenant("alpha"))
    assert all(r["pin_hash"] == keys.hash(r["serial"], pins[r["serial"]]) for r in rows)
    other = keys_for(harness.hall, harness.tenant("beta"))  # another tenant's key hashes the same PIN differently
    assert all(r["pin_hash"] != other.hash(r["serial"], pins[r["serial"]]) for r in rows)
    assert {r["state"] for r in rows} == {"in_stock"} and {r["face_value_fen"] for r in rows} == {5000}


def test_import_is_all_or_nothing_with_the_line_that_is_wrong(world):
    harness, _plugin, ids = world
    keys = keys_for(harness.hall, harness.tenant("alpha"))
    product = ids["products"]["P100"]
    good = "serial,pin\nSUP0001,1234 5678 9012 3456\nSUP0002,9999888877776666\n"
    batch = harness.in_tenant("alpha", batches.import_csv, keys, product, good)
    assert batch["generated"] == 2 and batch["source"] == "imported"
    assert pins_of(harness, batch["id"]) == {"SUP0001": "1234567890123456", "SUP0002": "9999888877776666"}
    for text, message in (
        ("serial,pin\nSUP0003,12345\n", "Line %(line)s: the PIN must be 16 to 24 digits."),
        ("serial,pin\nSUP0001,1234567890123456\n", "The serial %(serial)s is already in stock."),
        (
            "serial,pin\nSUP9,1234567890123456\nSUP9,1234567890123457\n",
            "Line %(line)s: the serial %(serial)s is in the file twice.",
        ),
        ("number,code\n", "The file must start with the header serial,pin."),
    ):
        with pytest.raises(batches.BatchError) as refused:
            harness.in_tenant("alpha", batches.import_csv, keys, product, text)
        assert refused.value.message == message
    assert harness.in_tenant("alpha", Batch.count) == 1


def test_export_for_printing_lists_serial_and_grouped_pin(world):
    harness, _plugin, ids = world
    batch = add_cards(harness, ids["products"]["P50"], 3)
    keys = keys_for(harness.hall, harness.tenant("alpha"))
    text = harness.in_tenant("alpha", batches.export_for_printing, keys, batch["id"])
    pins = pins_of(harness, batch["id"])
    lines = text.strip().splitlines()
    assert lines[0] == "serial,pin,face_value_fen" and len(lines) == 4
    serial, pin, _face = lines[1].split(",")
    assert pin.replace(" ", "") == pins[serial]


def test_the_audit_catches_a_card_deleted_behind_its_back_and_low_stock(world):
    harness, _plugin, ids = world
    batch = add_cards(harness, ids["products"]["P50"], 5)
    add_cards(harness, ids["products"]["P100"], 1)  # below low_stock=2
    found = harness.in_tenant("alpha", audit_stock)
    assert found == {"batches_wrong": [], "low_stock": ["P100"], "stock_unbalanced": []}

    async def delete_one():
        victim = await Card.select(Card.id).where(Card.batch_id == batch["id"]).first()
        await Card.delete().where(Card.id == victim["id"])

    harness.in_tenant("alpha", delete_one)
    found = harness.in_tenant("alpha", audit_stock)
    assert found["batches_wrong"] == [batch["code"]]
    counts = {c.code: c for c in harness.in_tenant("alpha", count_batches)}
    assert counts[batch["code"]].counted == 4 and not counts[batch["code"]].ok
    alerts = harness.in_tenant("alpha", open_alerts)
    assert {(a["kind"], a["subject"]) for a in alerts} == {("batch_mismatch", batch["code"]), ("low_stock", "P100")}
    harness.in_tenant("alpha", audit_stock)  # an alert still open is not written twice
    assert len(harness.in_tenant("alpha", open_alerts)) == 2
