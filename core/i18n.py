"""Languages: Babel catalogs (.po) of the core, every plugin and every theme, compiled in memory.

No user-visible string lives outside a catalog: Python code marks message ids
with ``N_()`` (translated where shown) and templates use ``_()`` / ``{% trans %}``.
``tests/core/test_i18n.py`` extracts every message id and fails when a catalog
lacks it.
"""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LANGUAGES = ("zh_CN", "en")
LANGUAGE_NAMES = {"zh_CN": "中文", "en": "English"}


def N_(message: str) -> str:
    """Mark a message id for extraction; it is translated when rendered."""
    return message


class HallTranslations(Translations):
    """An empty message id translates to "" (gettext's own answer is the catalog header, "Project-Id-Version: …").

    Labels looked up from data (a category, a state) can be empty; every gettext of the hall, in Python and
    in templates, goes through this class, so none can show the header.
    """

    def gettext(self, message: str) -> str:
        return super().gettext(message) if message else ""

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return super().ngettext(singular, plural, n) if singular and plural else (singular if n == 1 else plural) or ""

    def pgettext(self, context: str, message: str) -> str:
        return super().pgettext(context, message) if message else ""

    def npgettext(self, context: str, singular: str, plural: str, num: int) -> str:
        return (
            super().npgettext(context, singular, plural, num)
            if singular and plural
            else (singular if num == 1 else plural) or ""
        )


def _compile(po_file: Path, lang: str) -> Translations:
    with po_file.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return HallTranslations(fp=buf)


def load_translations(locale_dirs: list[Path]) -> dict[str, NullTranslations]:
    """One merged Translations per language from every ``<dir>/<lang>/LC_MESSAGES/messages.po``."""
    result: dict[str, NullTranslations] = {}
    for lang in LANGUAGES:
        merged: Translations | None = None
        for base in locale_dirs:
            po = base / lang / "LC_MESSAGES" / "messages.po"
            if not po.is_file():
                continue
            t = _compile(po, lang)
            if merged is None:
                merged = t
            else:
                merged.merge(t)
        result[lang] = merged or NullTranslations()  # ids as they are: empty stays empty
    return result


def _first_string(value) -> str:
    return value[0] if isinstance(value, (tuple, list)) else value


def disagreements(catalogs: dict[str, "Catalog"]) -> list[str]:
    """Message ids that two catalogs translate differently: ``"'Suspend': core 停机 / phone 报停"``.

    The catalogs are merged into one per language (:func:`load_translations`), so
    an id means the same on every page: whichever catalog merged last would win
    everywhere, on other plugins' pages too. ``catalogs`` maps a label (``core``,
    ``plugins/phone``) to that catalog, all of one language.
    """
    seen: dict[tuple, dict[str, str]] = {}
    for label, catalog in catalogs.items():
        for message in catalog:
            msgid, text = _first_string(message.id), _first_string(message.string)
            if msgid and text and not message.fuzzy:
                seen.setdefault((message.context, msgid), {})[label] = text
    found = []
    for (_context, msgid), texts in seen.items():
        if len(set(texts.values())) > 1:
            found.append(f"{msgid!r}: " + " / ".join(f"{label} {text}" for label, text in texts.items()))
    return found


def pick_language(user_choice: str | None, tenant_default: str) -> str:
    if user_choice in LANGUAGES:
        return user_choice  # type: ignore[return-value]
    return tenant_default if tenant_default in LANGUAGES else LANGUAGES[0]
