"""Operators edit the catalog: categories (any depth) and products with their prices; every field checked, errors per field."""

from __future__ import annotations

import datetime as dt
import json
import re

from core.api import N_, parse_yuan, zone_of
from core.api.web import FieldErrors, Form
from plugins.shop.tables import Category, Product

CODE = re.compile(r"^[A-Z0-9_-]{2,32}$")
MAX_FEN = 100_000_00


def _fen(form: Form, problems: FieldErrors, name: str, *, required: bool) -> int | None:
    text = form.value(name)
    if not text:
        if required:
            problems.add(name, N_("This field is required."))
        return None
    fen = parse_yuan(text)
    if fen is None or not 0 < fen <= MAX_FEN:
        problems.add(name, N_("Enter an amount in yuan, e.g. 49.50."))
        return None
    return fen


def _day(form: Form, problems: FieldErrors, name: str, tenant, *, end: bool) -> dt.datetime | None:
    """A day typed as YYYY-MM-DD, in the tenant's zone: its start (or, for ``end``, the next day's start), in UTC."""
    text = form.value(name)
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        problems.add(name, N_("Enter a date as YYYY-MM-DD."))
        return None
    start = dt.datetime.combine(day + dt.timedelta(days=1 if end else 0), dt.time(), tzinfo=zone_of(tenant))
    return start.astimezone(dt.timezone.utc)


def _attributes(form: Form, problems: FieldErrors, name: str) -> dict[str, str]:
    """Attribute lines ``name: value`` (at most 12; a name up to 20 characters, a value up to 100) as a dict."""
    out: dict[str, str] = {}
    lines = [line.strip() for line in form.value(name).replace("：", ":").splitlines() if line.strip()]
    for number, line in enumerate(lines, 1):
        key, sep, value = (part.strip() for part in line.partition(":"))
        if not sep or not key or not value or len(key) > 20 or len(value) > 100 or key in out:
            problems.add(name, N_("Line %(line)s: write one attribute a line as name: value."), line=number)
            return {}
        out[key] = value
    if len(out) > 12:
        problems.add(name, N_("At most 12 attributes."))
    return out


def attribute_lines(attributes, lang: str) -> str:
    """A product's attributes of one language as the editor's lines."""
    if isinstance(attributes, str):  # PostgreSQL hands JSON back as text
        attributes = json.loads(attributes or "{}")
    return "\n".join(f"{k}: {v}" for k, v in ((attributes or {}).get(lang) or {}).items())


async def product_values(form: Form, tenant, *, product_id: int | None) -> dict:
    """The product's columns from the form; FieldErrors per field."""
    problems = FieldErrors()
    code = form.value("code").upper()
    if not CODE.match(code):
        problems.add("code", N_("Use 2 to 32 capital letters, digits, - or _."))
    elif await Product.exists().where((Product.code == code) & (Product.id != (product_id or 0))):
        problems.add("code", N_("Another product has this code."))
    for name in ("name_zh", "name_en"):
        if not form.value(name):
            problems.add(name, N_("This field is required."))
    category = (
        int(form.value("category") or 0)
        if form.value("category").isascii() and form.value("category").isdigit()
        else -1
    )
    if category and not await Category.exists().where(Category.id == category):
        problems.add("category", N_("Choose a category."))
    delivery = form.value("delivery")
    if delivery not in ("electronic", "physical"):
        problems.add("delivery", N_("Choose a delivery."))
    face = _fen(form, problems, "face_value", required=True)
    price = _fen(form, problems, "price", required=True)
    member = _fen(form, problems, "member_price", required=False)
    promo = _fen(form, problems, "promo_price", required=False)
    start = _day(form, problems, "promo_from", tenant, end=False)
    until = _day(form, problems, "promo_until", tenant, end=True)
    if start and until and until <= start:
        problems.add("promo_until", N_("The promotion must end after it starts."))
    low = form.value("low_stock") or "0"
    if not (low.isascii() and low.isdigit() and int(low) <= 100_000):
        problems.add("low_stock", N_("Enter a whole number from 0 to 100000."))
    attributes = {lang: _attributes(form, problems, f"attrs_{lang}") for lang in ("zh", "en")}
    problems.raise_if_any()
    return {
        Product.attributes: attributes,
        Product.code: code,
        Product.name_zh: form.value("name_zh")[:100],
        Product.name_en: form.value("name_en")[:100],
        Product.category_id: max(category, 0),
        Product.delivery: delivery,
        Product.face_value_fen: face,
        Product.price_fen: price,
        Product.member_price_fen: member,
        Product.promo_price_fen: promo,
        Product.promo_from: start,
        Product.promo_until: until,
        Product.low_stock: int(low),
        Product.active: form.value("active") == "1",
    }


async def save_product(form: Form, tenant, product_id: int | None) -> dict:
    values = await product_values(form, tenant, product_id=product_id)
    if product_id:
        await Product.update(values).where(Product.id == product_id)
    else:
        await Product.insert(Product(**{column._meta.name: value for column, value in values.items()}))
    return {column._meta.name: str(value) for column, value in values.items()}


async def add_category(form: Form) -> dict:
    problems = FieldErrors()
    parent = form.value("parent") or "0"
    parent_id = int(parent) if parent.isascii() and parent.isdigit() else -1
    if parent_id and not await Category.exists().where(Category.id == parent_id):
        problems.add("parent", N_("Choose a category."))
    for name in ("cat_zh", "cat_en"):
        if not form.value(name):
            problems.add(name, N_("This field is required."))
    problems.raise_if_any()
    await Category.insert(
        Category(parent_id=parent_id, name_zh=form.value("cat_zh")[:100], name_en=form.value("cat_en")[:100])
    )
    return {"name_zh": form.value("cat_zh"), "parent_id": parent_id}
