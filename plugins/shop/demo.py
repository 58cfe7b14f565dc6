"""Demo content (``hall demo``): a small catalog of phone and internet cards, each with a batch of cards in stock,
and a printed collector's card with 20 in the main warehouse."""

from __future__ import annotations

from plugins.shop import batches, images
from plugins.shop.pins import keys_for
from plugins.shop.tables import Category, Location, Movement, Product, ProductImage, Stock

COLOURS = [(11, 92, 173), (198, 40, 40), (46, 125, 50), (106, 27, 154), (191, 120, 0)]

CATALOG = [
    # (category path zh/en, code, name zh, name en, face, price, member, attributes, delivery)
    (
        ("充值卡", "Top-up cards"),
        ("话费卡", "Phone cards"),
        "PHONE30",
        "30元话费充值卡",
        "¥30 phone card",
        3000,
        3000,
        2950,
        "electronic",
    ),
    (
        ("充值卡", "Top-up cards"),
        ("话费卡", "Phone cards"),
        "PHONE50",
        "50元话费充值卡",
        "¥50 phone card",
        5000,
        5000,
        4900,
        "electronic",
    ),
    (
        ("充值卡", "Top-up cards"),
        ("话费卡", "Phone cards"),
        "PHONE100",
        "100元话费充值卡",
        "¥100 phone card",
        10000,
        9900,
        9800,
        "electronic",
    ),
    (
        ("充值卡", "Top-up cards"),
        ("上网卡", "Internet cards"),
        "NET20",
        "20元宽带上网卡",
        "¥20 broadband card",
        2000,
        2000,
        None,
        "electronic",
    ),
    (
        ("纪念卡", "Collector cards"),
        None,
        "GIFT100",
        "100元纪念版实体卡",
        "¥100 collector's card (printed)",
        10000,
        12000,
        None,
        "physical",
    ),
]
ATTRIBUTES = {
    "zh": {"有效期": "自售出起 12 个月", "适用范围": "本网手机、固话、宽带"},
    "en": {"Valid for": "12 months from sale", "Works for": "our mobile, fixed-line and broadband numbers"},
}


async def _category(name: tuple[str, str], parent: int) -> int:
    found = (
        await Category.select(Category.id).where((Category.name_zh == name[0]) & (Category.parent_id == parent)).first()
    )
    if found:
        return found["id"]
    return (await Category.insert(Category(parent_id=parent, name_zh=name[0], name_en=name[1])).returning(Category.id))[
        0
    ]["id"]


async def seed(hall, tenant) -> None:
    """Idempotent: a tenant that already has products is left as it is."""
    if await Product.exists():
        return
    keys = keys_for(hall, tenant)
    digits = tenant.plugin_settings("shop").pin_digits
    for entry in CATALOG:
        _top, _sub, code, _zh, _en, face, _price, _member, delivery = entry
        product_id = await add_product(entry, low_stock=5, attributes=ATTRIBUTES)
        await _picture(product_id, code, face, COLOURS[len(COLOURS) - 1 if delivery == "physical" else face % 4])
        if delivery == "electronic":
            batch = await batches.generate(keys, product_id, 20, digits=digits, operator="demo")
            await batches.stock(batch["id"])
        else:
            await _stock(product_id, 20)


async def add_product(entry: tuple, *, low_stock: int, attributes: dict | None = None) -> int:
    """One :data:`CATALOG` entry as a product of the current tenant, in its category (made when missing); its id.

    The demo's seed uses it, and so do the browser tests that set up a shop of their own."""
    top, sub, code, zh, en, face, price, member, delivery = entry
    category = await _category(top, 0)
    if sub:
        category = await _category(sub, category)
    product = Product(
        code=code,
        category_id=category,
        name_zh=zh,
        name_en=en,
        delivery=delivery,
        face_value_fen=face,
        price_fen=price,
        member_price_fen=member,
        attributes=attributes if attributes is not None else {},
        low_stock=low_stock,
    )
    row = await Product.insert(product).returning(Product.id)
    return row[0]["id"]


async def _stock(product_id: int, quantity: int) -> None:
    """The main warehouse, holding ``quantity`` of a physical product (put in as a movement, like an operator would)."""
    place = await Location.select(Location.id).where(Location.code == "MAIN").first()
    if place is None:
        place = (
            await Location.insert(Location(code="MAIN", name_zh="主仓库", name_en="Main warehouse")).returning(
                Location.id
            )
        )[0]
    await Stock.insert(Stock(product_id=product_id, location_id=place["id"], quantity=quantity))
    await Product.update({Product.stock_free: Product.stock_free + quantity}).where(Product.id == product_id)
    await Movement.insert(
        Movement(kind="in", product_id=product_id, to_location=place["id"], quantity=quantity, actor="demo")
    )


def card_picture(title: str, face_fen: int, colour: tuple[int, int, int]) -> bytes:
    """A card drawn at seed time (no binary files in the repository): its colour, face value and name."""
    import io

    from PIL import Image, ImageDraw, ImageFont

    picture = Image.new("RGB", (800, 500), (245, 245, 245))
    draw = ImageDraw.Draw(picture)
    draw.rounded_rectangle((40, 40, 760, 460), radius=36, fill=colour)
    draw.text((90, 90), f"{face_fen // 100}", fill="white", font=ImageFont.load_default(size=150))
    draw.text((96, 260), "CNY", fill="white", font=ImageFont.load_default(size=44))
    draw.text((90, 380), title, fill="white", font=ImageFont.load_default(size=34))  # ASCII: the built-in font
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


async def _picture(product_id: int, title: str, face_fen: int, colour: tuple[int, int, int]) -> None:
    made = images.process(card_picture(title, face_fen, colour), max_kb=20480, max_pixels=24_000_000)
    product = await Product.select(Product.name_zh, Product.name_en).where(Product.id == product_id).first()
    await ProductImage.insert(
        ProductImage(
            product_id=product_id, alt_zh=product["name_zh"], alt_en=product["name_en"], created_by="demo", **made
        )
    )
