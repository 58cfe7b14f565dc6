"""The page for a host no tenant claims: a plain, translated 404, never a stack trace."""

from __future__ import annotations

import jinja2

from core.i18n import pick_language
from core.web.security_headers import NONCE_KEY
from core.web.templating import CORE_TEMPLATES

_envs: dict[str, jinja2.Environment] = {}


def _language(scope) -> str:
    accept = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"accept-language"), "")
    return "en" if accept.lower().startswith("en") else pick_language(None, "zh_CN")


async def unknown_tenant_response(hall, scope, receive, send) -> None:
    if scope["type"] != "http":
        await send({"type": "websocket.close", "code": 4404})
        return
    lang = _language(scope)
    env = _envs.get(lang)
    if env is None:
        from core.i18n import load_translations
        from core.web.templating import CORE_LOCALE

        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(CORE_TEMPLATES)), autoescape=True, extensions=["jinja2.ext.i18n"]
        )
        env.install_gettext_translations(load_translations([CORE_LOCALE])[lang], newstyle=True)  # type: ignore[attr-defined]
        _envs[lang] = env
    body = (
        env.get_template("errors/unknown_tenant.html")
        .render(
            hall_name=hall.deployment.hall.name, csp_nonce=scope.get(NONCE_KEY, ""), html_lang=lang.replace("_", "-")
        )
        .encode()
    )
    await send(
        {
            "type": "http.response.start",
            "status": 404,
            "headers": [
                (b"content-type", b"text/html; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
