"""Every message id in code and templates has a translation in every language.

Message ids are extracted with Babel's Python API and the same map as
``babel.cfg`` (the one ``scripts/update-catalogs`` uses): the core and the
themes share ``core/locale``; each plugin ships its own ``plugins/<name>/locale``.
When this fails after a code change, run ``scripts/update-catalogs`` and fill in
the empty translations it reports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from core.i18n import LANGUAGES, disagreements, load_translations

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "_": None, "gettext": None}

# A printf-style conversion as Python's % operator reads it (named or not), or "%%".
CONVERSION = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<type>[diouxXeEfFgGcrsa%])"
)


@dataclass(frozen=True)
class Domain:
    """One catalog and the source folders whose messages it must hold."""

    label: str
    sources: tuple[Path, ...]
    locale: Path


def domains() -> list[Domain]:
    found = [Domain("core", (ROOT / "core", ROOT / "themes"), ROOT / "core" / "locale")]
    for plugin in sorted((ROOT / "plugins").iterdir()):
        if (plugin / "__init__.py").is_file() and not plugin.name.startswith(("_", ".")):
            found.append(Domain(f"plugins/{plugin.name}", (plugin,), plugin / "locale"))
    return found


@cache
def extracted(domain: Domain) -> dict[str, list[str]]:
    """message id → where it is used (relative paths)."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh, filename="babel.cfg")
    messages: dict[str, list[str]] = {}
    for source in domain.sources:
        if not source.is_dir():
            continue
        for filename, lineno, message, _comments, _context in extract_from_dir(
            str(source), method_map, options_map, keywords=KEYWORDS
        ):
            msgid = message[0] if isinstance(message, (tuple, list)) else message
            if msgid:
                where = f"{source.relative_to(ROOT)}/{filename}:{lineno}"
                messages.setdefault(msgid, []).append(where)
    return messages


def read_catalog(domain: Domain, lang: str) -> Catalog | None:
    po = domain.locale / lang / "LC_MESSAGES" / "messages.po"
    if not po.is_file():
        return None
    with po.open("rb") as fh:
        return read_po(fh, locale=lang)


def conversions(text: str) -> list[str]:
    """The placeholders of a message, sorted ("%%" is not one)."""
    out = []
    for m in CONVERSION.finditer(text):
        if m.group("type") == "%":
            continue
        out.append(f"%({m.group('name')}){m.group('type')}" if m.group("name") is not None else f"%{m.group('type')}")
    return sorted(out)


def stray_percent(text: str) -> bool:
    """A "%" that is no conversion: breaks ``_()`` in templates (newstyle gettext always applies %)."""
    return "%" in CONVERSION.sub("", text)


DOMAINS = domains()
CASES = [pytest.param(d, lang, id=f"{d.label}-{lang}") for d in DOMAINS for lang in LANGUAGES]


def test_extraction_finds_messages():
    """Guards the guard: a broken babel.cfg would extract nothing and pass everything below."""
    core = extracted(DOMAINS[0])
    assert "Log in" in core, "babel.cfg no longer reaches the core templates"
    assert "This field is required." in core, "babel.cfg no longer reaches N_() in core Python code"


@pytest.mark.parametrize(("domain", "lang"), CASES)
def test_every_message_is_translated(domain: Domain, lang: str):
    messages = extracted(domain)
    if not messages:
        pytest.skip(f"{domain.label} has no messages")
    catalog = read_catalog(domain, lang)
    assert catalog is not None, (
        f"{domain.locale.relative_to(ROOT)}/{lang}/LC_MESSAGES/messages.po is missing: run scripts/update-catalogs"
    )
    problems = []
    for msgid, where in sorted(messages.items()):
        entry = catalog.get(msgid)
        if entry is None:
            problems.append(f"missing   {msgid!r} (used in {where[0]})")
        elif not entry.string or (isinstance(entry.string, tuple) and not all(entry.string)):
            problems.append(f"empty     {msgid!r} (used in {where[0]})")
        elif entry.fuzzy:
            problems.append(f"fuzzy     {msgid!r} (a fuzzy translation is never shown)")
    assert not problems, f"{domain.label} [{lang}]: run scripts/update-catalogs, then translate:\n" + "\n".join(
        problems
    )


@pytest.mark.parametrize(("domain", "lang"), CASES)
def test_placeholders_match(domain: Domain, lang: str):
    catalog = read_catalog(domain, lang)
    if catalog is None:
        pytest.skip(f"{domain.label} has no {lang} catalog")
    problems = []
    for entry in catalog:
        if not entry.id or not entry.string:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        expected = conversions(ids[0])
        for text in strings:
            if conversions(text) != expected:
                problems.append(
                    f"{entry.id!r}: placeholders {expected} but the translation has {conversions(text)}: {text!r}"
                )
            elif stray_percent(text):
                problems.append(f"{entry.id!r}: a lone '%' in {text!r} (write '%%')")
    assert not problems, f"{domain.label} [{lang}]:\n" + "\n".join(problems)


def test_catalogs_compile_and_translate():
    dirs = [d.locale for d in DOMAINS]
    translations = load_translations(dirs)
    assert translations["zh_CN"].gettext("Log in") == "登录"
    assert translations["zh_CN"].gettext("Hotline") == "客服热线"
    assert translations["zh_CN"].gettext("Notices") == "公告"  # from the notices plugin's own catalog
    assert translations["en"].gettext("Log in") == "Log in"


def test_core_catalog_alone_translates():
    """The core catalog works without any plugin (the unknown-tenant page loads only it)."""
    zh = load_translations([ROOT / "core" / "locale"])["zh_CN"]
    assert zh.gettext("Log in") == "登录"
    assert (
        zh.gettext("Too many failed attempts. Please wait %(minutes)s minutes and try again.") % {"minutes": 15}
        == "失败次数过多，请 15 分钟后再试。"
    )


def test_no_compiled_catalogs_in_the_tree():
    """The hall compiles .po in memory; a stale .mo next to it would only mislead."""
    stale = [p.relative_to(ROOT) for top in ("core", "plugins", "themes") for p in (ROOT / top).rglob("*.mo")]
    assert not stale, f"remove compiled catalogs: {stale}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_one_message_id_one_meaning_across_catalogs(lang: str):
    """The catalogs merge into one per language: an id two catalogs translate differently reads wrong on some pages.

    (Before this test, shop's 已完成 for "Completed" replaced the core's 已办结 on plan orders, and dial-up's
    正在开通 showed on the phone plugin's long-distance page.) Reuse the other catalog's words, or choose another id.
    """
    catalogs = {domain.label: read_catalog(domain, lang) for domain in domains()}
    catalogs.update({f"themes/{t.name}": read_po(p.open("rb"), locale=lang) for t, p in theme_catalogs(lang)})
    clashes = disagreements({label: c for label, c in catalogs.items() if c is not None})
    assert not clashes, "\n".join(clashes)


def theme_catalogs(lang: str) -> list[tuple[Path, Path]]:
    return [
        (theme, theme / "locale" / lang / "LC_MESSAGES" / "messages.po")
        for theme in sorted((ROOT / "themes").iterdir())
        if (theme / "locale" / lang / "LC_MESSAGES" / "messages.po").is_file()
    ]


def test_check_plugin_reports_a_message_the_core_translates_otherwise(tmp_path: Path):
    from core.plugin_rules.translations import translation_problems

    folder = tmp_path / "clash"
    (folder / "templates").mkdir(parents=True)
    (folder / "__init__.py").write_text('N_ = str\nLABEL = N_("Suspended")\n', encoding="utf-8")
    for lang, text in (("zh_CN", "已暂停"), ("en", "Suspended")):
        po = folder / "locale" / lang / "LC_MESSAGES" / "messages.po"
        po.parent.mkdir(parents=True)
        po.write_text(f'msgid ""\nmsgstr ""\n\nmsgid "Suspended"\nmsgstr "{text}"\n', encoding="utf-8")
    problems = translation_problems(folder)
    assert any("'Suspended'" in p and "one id, one meaning" in p and "停机" in p for p in problems), problems
