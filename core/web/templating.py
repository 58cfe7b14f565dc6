"""Jinja environments, one per (tenant, language), searching the template chain.

Order: tenant overrides → the tenant's theme → its parent themes → plugins →
the core's always-on plugins (``core/<feature>/templates``, core/builtin.py) →
core/web/templates. ``{% extends "core:base.html" %}`` reaches the core's stock
template even when a theme or tenant overrides ``base.html``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
from markupsafe import Markup

from core.builtin import ALWAYS_ON, plugin_name
from core.i18n import load_translations
from core.labels import label_of, merged_labels
from core.localtime import template_filter as localtime_filter
from core.money import format_fen
from core.web.themes import theme_chain, theme_for, theme_variables

if TYPE_CHECKING:
    from core.hall import Hall
    from core.tenancy import Tenant

CORE_TEMPLATES = Path(__file__).parent / "templates"
CORE_STATIC = Path(__file__).parent / "static"
CORE_LOCALE = Path(__file__).parent.parent / "locale"


def plugin_dirs(hall: "Hall", sub: str, names: list[str] | None = None) -> list[tuple[str, Path]]:
    """``(plugin, its folder sub)`` for each plugin (by default the installable ones) that has one."""
    out = []
    for name in hall.plugins.names() if names is None else names:
        module = hall.plugins.module(name)
        file = getattr(module, "__file__", None)
        if file:
            d = Path(file).parent / sub
            if d.is_dir():
                out.append((name, d))
    return out


_DICT_ATTRIBUTES = frozenset(dir(dict))


class HallEnvironment(jinja2.Environment):
    """Jinja with two shortcuts on paths every page takes many times (same results as stock Jinja).

    ``row.month`` on a plain dict: stock Jinja tries ``getattr(row, "month")`` first and only on the
    AttributeError (an exception: ~1 µs) looks the key up; a page of bills does that ~200 times. For an
    exact ``dict`` the attribute can only exist if ``dict`` itself has it, so the key is looked up at once.
    """

    def getattr(self, obj, attribute):
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


def _fast_gettext(func):
    """Jinja's new-style ``gettext``/``_`` without its two inner ``Context.call`` hops (same output).

    Stock ``_("…")`` is ``Context.call(_gettext_alias)`` → ``Context.call(gettext)`` → ``Context.call(func)``;
    a bill page calls it ~50 times. Here: one call, then as Jinja does: Markup when autoescaping, always ``%``.
    """

    @jinja2.pass_eval_context
    def gettext(eval_ctx, __string: str, **variables):
        rv = func(__string)
        if eval_ctx.autoescape:
            rv = Markup(rv)
        return rv % variables

    return gettext


def _fast_ngettext(func):
    @jinja2.pass_eval_context
    def ngettext(eval_ctx, __singular: str, __plural: str, __num: int, **variables):
        variables.setdefault("num", __num)
        rv = func(__singular, __plural, __num)
        if eval_ctx.autoescape:
            rv = Markup(rv)
        return rv % variables

    return ngettext


def key_values(data) -> list[tuple[str, str]]:
    """Stored JSON (an audit entry's before/after, a payment's metadata or ledger data) as readable ``key: value`` pairs.

    Lists of plain values are joined; nested objects become dotted keys (``bills.1.month``), so no JSON reaches the page.
    """
    import json

    if isinstance(data, str) and data.strip()[:1] in ("{", "["):  # a JSON column read without load_json
        try:
            data = json.loads(data)
        except ValueError:
            pass
    if data in (None, "", {}, []):
        return []
    if not isinstance(data, (dict, list)):
        return [("", str(data))]
    out: list[tuple[str, str]] = []

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{prefix}.{k}" if prefix else str(k), v)
        elif isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
            for n, v in enumerate(value, 1):
                walk(f"{prefix}.{n}" if prefix else str(n), v)
        elif isinstance(value, list):
            out.append((prefix, ", ".join(str(v) for v in value)))
        else:
            out.append((prefix, "" if value is None else str(value)))

    walk("", data)
    return out


class Templates:
    def __init__(self, hall: "Hall"):
        self.hall = hall
        self._envs: dict[tuple[str, str, str], jinja2.Environment] = {}
        locale_dirs = (
            [CORE_LOCALE]
            + [d for _, d in plugin_dirs(hall, "locale")]
            + [t.path / "locale" for t in hall.themes.values()]
        )
        self.translations = load_translations(locale_dirs)
        self.plugin_template_dirs = [d for _, d in plugin_dirs(hall, "templates")]
        self.core_template_dirs = [
            d for _, d in plugin_dirs(hall, "templates", [plugin_name(m) for m in ALWAYS_ON])
        ] + [CORE_TEMPLATES]
        self.plugin_static_dirs = dict(plugin_dirs(hall, "static"))

    def search_path(self, tenant: "Tenant", audience: str = "customer") -> list[Path]:
        dirs = [tenant.path / "templates"]
        dirs += [
            t.templates for t in theme_chain(self.hall.themes, theme_for(self.hall.themes, tenant.theme, audience))
        ]
        dirs += self.plugin_template_dirs
        dirs += self.core_template_dirs
        return [d for d in dirs if d.is_dir()]

    def static_path(self, tenant: "Tenant") -> list[Path]:
        dirs = (
            [tenant.path / "static"] + [t.static for t in theme_chain(self.hall.themes, tenant.theme)] + [CORE_STATIC]
        )
        return [d for d in dirs if d.is_dir()]

    def env(self, tenant: "Tenant", language: str, audience: str = "customer") -> jinja2.Environment:
        """The environment for one tenant, language and audience: operator pages may use another theme (``console`` in theme.toml)."""
        audience = "operator" if audience == "operator" else "customer"
        key = (tenant.id, language, audience)
        env = self._envs.get(key)
        if env is None:
            loader = jinja2.ChoiceLoader(
                [
                    jinja2.FileSystemLoader([str(d) for d in self.search_path(tenant, audience)]),
                    jinja2.PrefixLoader(
                        {"core": jinja2.FileSystemLoader([str(d) for d in self.core_template_dirs])}, delimiter=":"
                    ),
                ]
            )
            env = HallEnvironment(
                loader=loader,
                autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
                extensions=["jinja2.ext.i18n"],
                auto_reload=False,
                trim_blocks=True,
                lstrip_blocks=True,
            )
            env.install_gettext_translations(self.translations[language], newstyle=True)  # type: ignore[attr-defined]
            translations = self.translations[language]
            fast = _fast_gettext(translations.gettext)
            env.globals.update(_=fast, gettext=fast, ngettext=_fast_ngettext(translations.ngettext))
            env.globals["theme"] = theme_variables(
                self.hall.themes, theme_for(self.hall.themes, tenant.theme, audience)
            )
            env.globals["tenant"] = tenant
            env.filters["fen"] = format_fen
            env.filters["localtime"] = localtime_filter(tenant)
            env.globals["label"] = self._labeller(translations.gettext)
            env.filters["key_values"] = key_values
            self._envs[key] = env
        return env

    def _labeller(self, gettext):
        labels = merged_labels(self.hall)

        def label(domain: str, code) -> str:
            """``label("payment_state", "succeeded")`` → 已支付: a stored code's translated display name."""
            msgid = label_of(labels, domain, code)
            return gettext(msgid) if msgid else ("" if code is None else str(code))

        return label

    def gettext(self, language: str):
        return self.translations[language].gettext


def hall_templates(hall: "Hall") -> Templates:
    """The hall's one :class:`Templates` (built once: loading every catalog is slow), for pages, mails and messages alike."""
    templates = hall.state.get("core.templates")
    if templates is None:
        templates = hall.state["core.templates"] = Templates(hall)
    return templates
