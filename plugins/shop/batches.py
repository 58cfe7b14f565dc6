"""Card batches: generate N cards (sequential serials, random PINs), import a supplier's CSV, put in stock, export, void.

A batch's ``generated`` is fixed when it is made; :mod:`plugins.shop.audit`
proves every card of it is still accounted for in exactly one state.
"""

from __future__ import annotations

import csv
import io
import secrets

from core.api import N_
from core.api.db import transaction
from plugins.shop.pins import PinKeys, clean_pin, grouped, new_pin
from plugins.shop.tables import GENERATED, IN_STOCK, SOLD, VOID, Batch, Card, Product

MAX_BATCH = 100_000
CSV_COLUMNS = ("serial", "pin")


class BatchError(ValueError):
    """A batch that cannot be made: a message id and its parameters (shown next to the field, translated)."""

    def __init__(self, message: str, **params):
        super().__init__(message)
        self.message, self.params = message, params


def serial_of(batch_code: str, n: int) -> str:
    return f"{batch_code}{n:06d}"


async def _new_batch(product_id: int, source: str, size: int, operator: str) -> dict:
    product = await Product.select().where(Product.id == product_id).first()
    if product is None:
        raise BatchError(N_("No such product."))
    code = f"B{secrets.randbelow(10**7):07d}"
    while await Batch.exists().where(Batch.code == code):
        code = f"B{secrets.randbelow(10**7):07d}"
    row = (
        await Batch.insert(
            Batch(code=code, product_id=product_id, source=source, generated=size, created_by=operator)
        ).returning(*Batch.all_columns())
    )[0]
    return {"batch": row, "product": product}


async def generate(keys: PinKeys, product_id: int, count: int, *, digits: int, operator: str = "") -> dict:
    """Make ``count`` cards of the product: serial ``<batch code><000001…>``, a fresh PIN each (hashed and sealed)."""
    if not 1 <= count <= MAX_BATCH:
        raise BatchError(N_("Enter a number of cards from 1 to 100000."))
    async with transaction():
        made = await _new_batch(product_id, "generated", count, operator)
        batch, face = made["batch"], made["product"]["face_value_fen"]
        rows = []
        for n in range(1, count + 1):
            serial, pin = serial_of(batch["code"], n), new_pin(digits)
            rows.append(_card(keys, batch["id"], product_id, face, serial, pin))
        for start in range(0, len(rows), 500):
            await Card.insert(*rows[start : start + 500])
    return batch


def _card(keys: PinKeys, batch_id: int, product_id: int, face: int, serial: str, pin: str) -> Card:
    return Card(
        batch_id=batch_id,
        product_id=product_id,
        serial=serial,
        pin_hash=keys.hash(serial, pin),
        pin_sealed=keys.seal(serial, pin),
        face_value_fen=face,
        state=GENERATED,
    )


def parse_csv(text: str) -> list[tuple[str, str]]:
    """A supplier's file: a header ``serial,pin`` and one card a line; every problem is a BatchError naming the line."""
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    if tuple(header[:2]) != CSV_COLUMNS:
        raise BatchError(N_("The file must start with the header serial,pin."))
    cards, seen = [], set()
    for line, row in enumerate(reader, start=2):
        if not row or not "".join(row).strip():
            continue
        serial, pin = (row + ["", ""])[0].strip(), clean_pin((row + ["", ""])[1])
        if not (4 <= len(serial) <= 32 and serial.isascii() and serial.isalnum()):
            raise BatchError(N_("Line %(line)s: the serial must be 4 to 32 letters or digits."), line=line)
        if not (16 <= len(pin) <= 24 and pin.isascii() and pin.isdigit()):
            raise BatchError(N_("Line %(line)s: the PIN must be 16 to 24 digits."), line=line)
        if serial in seen:
            raise BatchError(N_("Line %(line)s: the serial %(serial)s is in the file twice."), line=line, serial=serial)
        seen.add(serial)
        cards.append((serial, pin))
    if not cards or len(cards) > MAX_BATCH:
        raise BatchError(N_("The file holds no cards, or more than 100000."))
    return cards


async def import_csv(keys: PinKeys, product_id: int, text: str, *, operator: str = "") -> dict:
    """A supplier's batch, all or nothing: a serial the hall already has refuses the whole file."""
    cards = parse_csv(text)
    async with transaction():
        serials = [s for s, _ in cards]
        for start in range(0, len(serials), 500):
            taken = await Card.select(Card.serial).where(Card.serial.is_in(serials[start : start + 500])).first()
            if taken:
                raise BatchError(N_("The serial %(serial)s is already in stock."), serial=taken["serial"])
        made = await _new_batch(product_id, "imported", len(cards), operator)
        batch, face = made["batch"], made["product"]["face_value_fen"]
        rows = [_card(keys, batch["id"], product_id, face, s, p) for s, p in cards]
        for start in range(0, len(rows), 500):
            await Card.insert(*rows[start : start + 500])
    return batch


async def move(batch_id: int, source: str, target: str) -> int:
    """Move every card of the batch in ``source`` to ``target`` (put in stock, activate for offline sale, void)."""
    changes = {Card.state: target}
    if target == SOLD:
        from core.api.payments import now

        changes[Card.sold_at] = now()
    rows = (
        await Card.update(changes)
        .where((Card.batch_id == batch_id) & (Card.state == source) & Card.order_id.is_null())
        .returning(Card.id)
    )
    return len(rows)


async def stock(batch_id: int) -> int:
    return await move(batch_id, GENERATED, IN_STOCK)


async def void(batch_id: int) -> int:
    """Void what was not sold yet (generated or in stock, no order holding it)."""
    return await move(batch_id, GENERATED, VOID) + await move(batch_id, IN_STOCK, VOID)


async def export_for_printing(keys: PinKeys, batch_id: int) -> str:
    """CSV of serial and PIN for the printer: the one place PINs leave in bulk (audited by the caller)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["serial", "pin", "face_value_fen"])
    rows = (
        await Card.select(Card.serial, Card.pin_sealed, Card.face_value_fen)
        .where((Card.batch_id == batch_id) & Card.state.is_in([GENERATED, IN_STOCK, SOLD]))
        .order_by(Card.serial)
    )
    for row in rows:
        writer.writerow([row["serial"], grouped(keys.open(row["serial"], row["pin_sealed"])), row["face_value_fen"]])
    return out.getvalue()
