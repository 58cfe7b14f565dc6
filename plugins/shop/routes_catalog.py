"""Console: the catalog editor (shop.manage) - categories of any depth, products and their prices; audited."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from core.api import local
from core.api.web import FieldErrors, Form, TenantDep, audit, redirect_to, render
from plugins.shop.catalog import category_tree
from plugins.shop.images import images_of
from plugins.shop.catalog_edit import add_category, attribute_lines, save_product
from plugins.shop.tables import Product

MANAGE = {"auth": "operator", "permission": "shop.manage"}


def _form_of(product: dict | None, tenant) -> Form:
    if product is None:
        return Form({"delivery": "electronic", "active": "1", "low_stock": "5"})

    def yuan(fen):
        return "" if fen is None else f"{fen // 100}.{fen % 100:02d}"

    def day(moment, end=False):
        if moment is None:
            return ""
        import datetime as dt

        shown = moment - dt.timedelta(days=1) if end else moment
        return local(shown, tenant, "date")

    return Form(
        {
            "code": product["code"],
            "name_zh": product["name_zh"],
            "name_en": product["name_en"],
            "category": str(product["category_id"]),
            "delivery": product["delivery"],
            "face_value": yuan(product["face_value_fen"]),
            "price": yuan(product["price_fen"]),
            "member_price": yuan(product["member_price_fen"]),
            "promo_price": yuan(product["promo_price_fen"]),
            "promo_from": day(product["promo_from"]),
            "promo_until": day(product["promo_until"], end=True),
            "low_stock": str(product["low_stock"]),
            "active": "1" if product["active"] else "",
            "attrs_zh": attribute_lines(product["attributes"], "zh"),
            "attrs_en": attribute_lines(product["attributes"], "en"),
        }
    )


async def _page(
    request: Request,
    form: Form,
    *,
    product_id: int | None,
    cat_form: Form | None = None,
    image_form: Form | None = None,
    status=200,
):
    return await render(
        request,
        "shop/catalog.html",
        {
            "form": form,
            "cat_form": cat_form or Form(),
            "product_id": product_id,
            "products": await Product.select().order_by(Product.code),
            "categories": await category_tree(),
            "images": (await images_of([product_id])).get(product_id, []) if product_id else [],
            "image_form": image_form or Form(),
        },
        status=status,
        audience="operator",
    )


@get("/console/catalog", opt=MANAGE, name="shop:console.catalog")
async def catalog_page(request: Request, tenant: TenantDep) -> Response:
    return await _page(request, _form_of(None, tenant), product_id=None)


async def product_page_response(
    request: Request, product_id: int, tenant, *, image_form: Form | None = None, status: int = 200
) -> Response:
    """The console's product page (``image_form``: an image upload with its error)."""
    product = await Product.select().where(Product.id == product_id).first()
    if product is None:
        raise NotFoundException()
    form = _form_of(product, tenant)
    return await _page(request, form, product_id=product_id, image_form=image_form, status=status)


@get("/console/catalog/{product_id:int}", opt=MANAGE, name="shop:console.product")
async def product_page(request: Request, product_id: FromPath[int], tenant: TenantDep) -> Response:
    return await product_page_response(request, product_id, tenant)


@post("/console/catalog/save", opt=MANAGE, name="shop:console.product.save")
async def product_save(request: Request, tenant: TenantDep) -> Response:
    """Add a product, or change the one named by ``product_id``."""
    form = await Form.from_request(request)
    raw = form.value("product_id")
    product_id = int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 2**31 else None
    if product_id and not await Product.exists().where(Product.id == product_id):
        raise NotFoundException()
    try:
        after = await save_product(form, tenant, product_id)
    except FieldErrors as problems:
        form.take(problems)
        return await _page(request, form, product_id=product_id, status=400)
    await audit(request, "shop.product.save", object_type="shop_product", object_id=after["code"], after=after)
    return redirect_to(request, "shop:console.catalog")


@post("/console/catalog/category", opt=MANAGE, name="shop:console.category.add")
async def category_add(request: Request, tenant: TenantDep) -> Response:
    cat_form = await Form.from_request(request)
    try:
        after = await add_category(cat_form)
    except FieldErrors as problems:
        cat_form.take(problems)
        return await _page(request, _form_of(None, tenant), product_id=None, cat_form=cat_form, status=400)
    await audit(request, "shop.category.add", object_type="shop_category", object_id=after["name_zh"], after=after)
    return redirect_to(request, "shop:console.catalog")


HANDLERS = [catalog_page, product_page, product_save, category_add]
