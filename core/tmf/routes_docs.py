"""The tenant's OpenAPI document (public, JSON) and its documentation page (rendered here: no CDN, no script)."""

from __future__ import annotations

from litestar import Request, Response, get

from core.tmf.schema import tenant_document
from core.web.render import render

PUBLIC = {"auth": "public"}
METHODS = ("get", "post", "put", "patch", "delete")


@get("/api/tmf/openapi.json", opt=PUBLIC, include_in_schema=False, name="api:openapi")
async def openapi_json(request: Request) -> Response:
    return Response(content=tenant_document(request), media_type="application/json")


@get("/api/tmf/docs", opt=PUBLIC, include_in_schema=False, name="api:docs")
async def docs_page(request: Request) -> Response:
    """Every operation with its parameters, scope and answers, from the same document."""
    document = tenant_document(request)
    operations = []
    for path, item in sorted(document["paths"].items()):
        for method in METHODS:
            op = item.get(method)
            if op:
                operations.append({"method": method.upper(), "path": path, "op": op})
    return await render(request, "tmf/docs.html", {"document": document, "operations": operations})


HANDLERS = [openapi_json, docs_page]
