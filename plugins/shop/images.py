"""Product images: an upload is judged by its content (Pillow), never by its name, and re-encoded by the hall.

An upload must be a JPEG, PNG or WebP (whatever its file name says), within ``image_max_kb`` and
``image_max_pixels`` (the size read from the header, before any pixel is decoded: a decompression bomb is refused
unread). It is re-encoded as WebP at two bounded sizes (display, at most 800 px a side; thumbnail, 240 px), turned
upright by its EXIF orientation, and stored without any metadata (no EXIF, no GPS position, no camera) in the
database - no file on local disk, so every process and machine of the hall serves it. ``digest`` (SHA-256 of the
display image) names the content: the image URL carries it, so the browser may cache it for a year.
"""

from __future__ import annotations

import hashlib
import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from core.api import N_
from core.api.db import transaction
from core.api.web import FieldErrors
from plugins.shop.tables import Product, ProductImage

ALLOWED = ("JPEG", "PNG", "WEBP")
DISPLAY, THUMB = 800, 240
MAX_PER_PRODUCT = 8
KINDS = ("display", "thumb")


def _refuse(message: str, **params) -> FieldErrors:
    problems = FieldErrors()
    problems.add("image", message, **params)
    return problems


def _encode(picture: Image.Image, side: int) -> bytes:
    copy = picture.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    copy.save(out, "WEBP", quality=82, method=4)  # no exif= / icc_profile=: nothing but pixels is written
    return out.getvalue()


def process(content: bytes, *, max_kb: int, max_pixels: int) -> dict:
    """The display and thumbnail bytes of an upload, with its size; FieldErrors (field ``image``) when refused."""
    if not content:
        raise _refuse(N_("Choose an image file."))
    if len(content) > max_kb * 1024:
        raise _refuse(N_("The image is larger than %(size)s KB."), size=max_kb)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            picture = Image.open(io.BytesIO(content))  # reads the header only
            if picture.format not in ALLOWED:
                raise _refuse(N_("Use a JPEG, PNG or WebP image."))
            width, height = picture.size
            if width * height > max_pixels:
                raise _refuse(N_("The image has too many pixels (at most %(pixels)s)."), pixels=max_pixels)
            picture.load()
            picture = ImageOps.exif_transpose(picture)
            has_alpha = picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info
            picture = picture.convert("RGBA" if has_alpha else "RGB")
            display, thumb = _encode(picture, DISPLAY), _encode(picture, THUMB)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(N_("The image has too many pixels (at most %(pixels)s)."), pixels=max_pixels) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise _refuse(N_("This file is not an image.")) from None
    shown = Image.open(io.BytesIO(display)).size
    return {
        "display": display,
        "thumb": thumb,
        "width": shown[0],
        "height": shown[1],
        "digest": hashlib.sha256(display).hexdigest(),
    }


async def images_of(product_ids: list[int]) -> dict[int, list[dict]]:
    """Each product's images in their order (without their bytes)."""
    if not product_ids:
        return {}
    rows = (
        await ProductImage.select(
            ProductImage.id,
            ProductImage.product_id,
            ProductImage.position,
            ProductImage.digest,
            ProductImage.alt_zh,
            ProductImage.alt_en,
            ProductImage.width,
            ProductImage.height,
        )
        .where(ProductImage.product_id.is_in(product_ids))
        .order_by(ProductImage.position)
        .order_by(ProductImage.id)
    )
    out: dict[int, list[dict]] = {}
    for row in rows:
        out.setdefault(row["product_id"], []).append(row)
    return out


async def add(product: dict, content: bytes, *, alt_zh: str, alt_en: str, settings, actor: str) -> dict:
    """Check and store one image as the product's last; FieldErrors when refused or the product has enough."""
    if await ProductImage.count().where(ProductImage.product_id == product["id"]) >= MAX_PER_PRODUCT:
        raise _refuse(N_("A product has at most %(count)s images."), count=MAX_PER_PRODUCT)
    made = process(content, max_kb=settings.image_max_kb, max_pixels=settings.image_max_pixels)
    async with transaction():
        last = (
            await ProductImage.select(ProductImage.position)
            .where(ProductImage.product_id == product["id"])
            .order_by(ProductImage.position, ascending=False)
            .first()
        )
        row = ProductImage(
            product_id=product["id"],
            position=(last["position"] + 1) if last else 0,
            alt_zh=(" ".join(alt_zh.split()) or product["name_zh"])[:120],
            alt_en=(" ".join(alt_en.split()) or product["name_en"])[:120],
            created_by=actor[:64],
            **made,
        )
        saved = (await ProductImage.insert(row).returning(ProductImage.id))[0]
    return {"id": saved["id"], "digest": made["digest"], "width": made["width"], "height": made["height"]}


async def remove(product_id: int, image_id: int) -> dict | None:
    """Delete one of the product's images; the removed row (without bytes), or None when it is not there."""
    gone = (
        await ProductImage.delete()
        .where((ProductImage.id == image_id) & (ProductImage.product_id == product_id))
        .returning(ProductImage.id, ProductImage.digest)
    )
    return gone[0] if gone else None


async def move(product_id: int, image_id: int, step: int) -> list[int] | None:
    """Move an image one place earlier (-1) or later (+1); the new order of image ids, or None when it is not there."""
    async with transaction():
        order = [r["id"] for r in (await images_of([product_id])).get(product_id, [])]
        if image_id not in order:
            return None
        at = order.index(image_id)
        to = max(0, min(len(order) - 1, at + step))
        order.insert(to, order.pop(at))
        for position, each in enumerate(order):
            await ProductImage.update({ProductImage.position: position}).where(ProductImage.id == each)
    return order


async def content(image_id: int, kind: str) -> dict | None:
    """The bytes of one image (``display`` or ``thumb``) and its digest, for the image route (tenant-scoped)."""
    column = ProductImage.display if kind == "display" else ProductImage.thumb
    row = await ProductImage.select(column, ProductImage.digest).where(ProductImage.id == image_id).first()
    if row is None:
        return None
    data = row[kind]
    return {"data": bytes(data) if not isinstance(data, bytes) else data, "digest": row["digest"]}


async def product_names(product_id: int) -> dict | None:
    return (
        await Product.select(Product.id, Product.code, Product.name_zh, Product.name_en)
        .where(Product.id == product_id)
        .first()
    )
