"""The web framework's own routes: static files through the theme chain, the tenant's logo, and a health check.

The home page itself belongs to core/home.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from litestar import Request, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import File

from core.web.context import info

PUBLIC = {"auth": "public"}


def _plausible(rel: str) -> bool:
    """A name the file system can look up: no NUL or control characters (ValueError), no over-long names (OSError)."""
    return 0 < len(rel) <= 1024 and rel.isprintable() and all(len(part.encode()) <= 255 for part in rel.split("/"))


def _find_static(dirs: list[Path], rel: str) -> Path | None:
    if not _plausible(rel):
        return None
    for base in dirs:
        try:
            candidate = (base / rel).resolve()
            if candidate.is_file() and base.resolve() in candidate.parents:
                return candidate
        except (OSError, ValueError):  # whatever else the file system refuses is simply not a static file
            return None
    return None


@get("/static/{path:path}", opt=PUBLIC, include_in_schema=False, name="site:static")
async def static_file(request: Request, path: FromPath[str]) -> File:
    """Tenant static → theme chain static → core static; ``/static/<plugin>/...`` reaches a plugin's static/."""
    templates = request.app.state.templates
    rel = path.lstrip("/")
    found = _find_static(templates.static_path(info(request).tenant), rel)
    if found is None:
        plugin, _, rest = rel.partition("/")
        plugin_dir = templates.plugin_static_dirs.get(plugin)
        if plugin_dir is not None and info(request).tenant.enables(plugin):
            found = _find_static([plugin_dir], rest)
    if found is None:
        raise NotFoundException()
    return File(
        found,
        content_disposition_type="inline",
        media_type=mimetypes.guess_type(found.name)[0] or "application/octet-stream",
        headers={"Cache-Control": "public, max-age=3600"},
    )


@get("/brand/logo", opt=PUBLIC, include_in_schema=False, name="site:logo")
async def brand_logo(request: Request) -> File:
    tenant = info(request).tenant
    if not tenant.brand.logo:
        raise NotFoundException()
    path = tenant.path / tenant.brand.logo
    return File(
        path,
        content_disposition_type="inline",
        media_type=mimetypes.guess_type(path.name)[0] or "image/png",
        headers={"Cache-Control": "public, max-age=3600"},
    )


@get("/healthz", opt=PUBLIC, include_in_schema=False, name="site:healthz")
async def healthz() -> dict:
    return {"status": "ok"}


HANDLERS = [static_file, brand_logo, healthz]
