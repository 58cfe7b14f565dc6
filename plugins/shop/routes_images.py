"""Product images: served to anyone (of the tenant that owns them) with long caching; uploaded, ordered and removed by
operators (shop.manage) on the console's product page, every change audited."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from core.api.web import AuditorDep, FieldErrors, Form, NamedDependency, TenantDep, audit, redirect_to
from plugins.shop import images
from plugins.shop.routes_catalog import product_page_response
from plugins.shop.settings import ShopSettings

PUBLIC = {"auth": "public"}
MANAGE = {"auth": "operator", "permission": "shop.manage"}
Settings = NamedDependency[ShopSettings]
YEAR = 365 * 86400


@get("/images/{image_id:int}/{kind:str}/{digest:str}", opt=PUBLIC, name="shop:image")
async def image(request: Request, image_id: FromPath[int], kind: FromPath[str], digest: FromPath[str]) -> Response:
    """The image's bytes; the URL names its content (``digest``), so it is cached for a year and never changes."""
    if kind not in images.KINDS:
        raise NotFoundException()
    found = await images.content(image_id, kind)  # tenant-scoped: another tenant's image is as absent as none
    if found is None or found["digest"] != digest[:64]:
        raise NotFoundException()
    etag = f'"{found["digest"][:32]}-{kind}"'
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={YEAR}, immutable", "X-Content-Type-Options": "nosniff"}
    if etag in (request.headers.get("if-none-match") or ""):
        return Response(b"", status_code=304, headers=headers)
    return Response(found["data"], media_type="image/webp", headers=headers)


async def _product(product_id: int) -> dict:
    product = await images.product_names(product_id)
    if product is None:
        raise NotFoundException()
    return product


@post("/console/catalog/{product_id:int}/images", opt=MANAGE, name="shop:console.image.add")
async def image_add(
    request: Request, product_id: FromPath[int], tenant: TenantDep, settings: Settings, auditor: AuditorDep
) -> Response:
    """Upload one image (checked by content, re-encoded, stored in the database)."""
    product = await _product(product_id)
    raw = await request.form()
    upload = raw.get("image")
    form = Form({k: v for k, v in raw.items() if isinstance(v, str)})
    content = await upload.read(settings.image_max_kb * 1024 + 1) if isinstance(upload, UploadFile) else b""
    try:
        made = await images.add(
            product,
            content,
            alt_zh=form.value("alt_zh"),
            alt_en=form.value("alt_en"),
            settings=settings,
            actor=auditor.actor,
        )
    except FieldErrors as problems:
        form.take(problems)
        return await product_page_response(request, product_id, tenant, image_form=form, status=400)
    after = {"image": made["id"], "digest": made["digest"], "size": f"{made['width']}x{made['height']}"}
    await audit(request, "shop.image.add", object_type="shop_product", object_id=product["code"], after=after)
    return redirect_to(request, "shop:console.product", product_id=product_id)


@post("/console/catalog/{product_id:int}/images/{image_id:int}/{action:str}", opt=MANAGE, name="shop:console.image")
async def image_action(
    request: Request, product_id: FromPath[int], image_id: FromPath[int], action: FromPath[str]
) -> Response:
    """Move an image earlier or later, or remove it (audited)."""
    product = await _product(product_id)
    if action == "remove":
        gone = await images.remove(product_id, image_id)
        if gone is None:
            raise NotFoundException()
        after = {"image": image_id, "digest": gone["digest"]}
        await audit(request, "shop.image.remove", object_type="shop_product", object_id=product["code"], after=after)
    elif action in ("up", "down"):
        order = await images.move(product_id, image_id, -1 if action == "up" else 1)
        if order is None:
            raise NotFoundException()
        await audit(
            request, "shop.image.move", object_type="shop_product", object_id=product["code"], after={"order": order}
        )
    else:
        raise NotFoundException()
    return redirect_to(request, "shop:console.product", product_id=product_id)


HANDLERS = [image, image_add, image_action]
