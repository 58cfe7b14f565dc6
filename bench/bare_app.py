"""The baseline for bench/portal.py: a bare Litestar app rendering one Jinja page, nothing else.

No tenant, no session, no database, no plugins: what Litestar + Jinja + granian
cost on this machine for a page of the same size. The page is padded to exactly
``BENCH_BARE_BYTES`` bytes (the size of the hall page being compared).

Served exactly like ``hall serve`` (granian's ``Server``, ASGI, factory, no
access log)::

    PYTHONPATH=bench BENCH_BARE_BYTES=9000 .venv/bin/python bench/bare_app.py --port 8001 --workers 2
"""

from __future__ import annotations

import argparse
import os

from jinja2 import DictLoader, Environment, select_autoescape
from litestar import Litestar, get
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template.config import TemplateConfig

PAGE = """<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>{{ title }}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body>
<header><a href="/">{{ title }}</a>
<nav>{% for item in menu %}<a href="{{ item.path }}">{{ item.label }}</a> {% endfor %}</nav></header>
<main>
<h1>{{ heading }}</h1>
<dl>{% for k, v in rows %}<dt>{{ k }}</dt><dd>{{ v }}</dd>{% endfor %}</dl>
<!-- {{ pad }} -->
</main>
<footer>{{ footer }}</footer>
</body>
</html>
"""

CONTEXT = {
    "title": "Bare page",
    "menu": [{"path": f"/item/{i}", "label": f"Item {i}"} for i in range(6)],
    "heading": "Account",
    "rows": [(f"key {i}", f"value {i}") for i in range(8)],
    "footer": "bench/bare_app.py",
}


def _env() -> Environment:
    return Environment(loader=DictLoader({"page.html": PAGE}), autoescape=select_autoescape(default=True))


def padding_for(target: int) -> str:
    """ASCII padding that brings the rendered page to ``target`` bytes (UTF-8)."""
    base = len(_env().get_template("page.html").render(**CONTEXT, pad="").encode())
    return "x" * max(0, target - base)


def create_app() -> Litestar:
    target = int(os.environ.get("BENCH_BARE_BYTES", "8000"))
    context = {**CONTEXT, "pad": padding_for(target)}

    @get("/", sync_to_thread=False)
    def page() -> Template:
        return Template(template_name="page.html", context=context, headers={"Cache-Control": "no-store"})

    return Litestar(
        route_handlers=[page], template_config=TemplateConfig(instance=JinjaTemplateEngine.from_environment(_env()))
    )


def main() -> None:
    from granian.constants import Interfaces
    from granian.server import Server

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8001)
    p.add_argument("--workers", type=int, default=1)
    a = p.parse_args()
    # The same call as core/cli/serve.py serve_app, only the target differs.
    Server(
        "bare_app:create_app",
        address=a.host,
        port=a.port,
        workers=a.workers,
        interface=Interfaces.ASGI,
        factory=True,
        log_access=False,
    ).serve()


if __name__ == "__main__":
    main()
