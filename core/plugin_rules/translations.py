"""The translation rule: a plugin ships zh_CN and en catalogs, and every message id it uses has a Chinese translation.

Message ids are extracted with Babel the way ``scripts/update-catalogs`` does
(``N_()``/``_()`` in Python, ``_()`` and ``{% trans %}`` in ``templates/``);
an id the core's catalog already translates ("Hotline", "Save") counts as
translated, as the catalogs are merged at run time (core/i18n.py).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from core.i18n import LANGUAGES, disagreements

CORE_LOCALE = Path(__file__).resolve().parents[1] / "locale"
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "_": None, "gettext": None}
# the map of babel.cfg (which stays at the repository's root, outside an installed hall)
METHOD_MAP = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
OPTIONS_MAP = {
    "**/templates/**.html": {
        "encoding": "utf-8",
        "extensions": "jinja2.ext.i18n",
        "trim_blocks": "true",
        "lstrip_blocks": "true",
        "newstyle_gettext": "true",
        "silent": "false",
    },
    "**.py": {"encoding": "utf-8"},
}


def catalog_path(folder: Path, language: str) -> Path:
    return folder / "locale" / language / "LC_MESSAGES" / "messages.po"


def read_catalog(path: Path, language: str) -> Catalog | None:
    if not path.is_file():
        return None
    with path.open("rb") as fh:
        return read_po(fh, locale=language)


@cache
def _core_catalog(language: str) -> Catalog | None:
    return read_catalog(CORE_LOCALE / language / "LC_MESSAGES" / "messages.po", language)


def used_messages(folder: Path) -> dict[str, str]:
    """message id → the first place (``file:line``, relative to ``folder``) that uses it."""
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(folder), METHOD_MAP, OPTIONS_MAP, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, (tuple, list)) else message
        if msgid and "/migrations/" not in f"/{filename}":
            found.setdefault(msgid, f"{filename}:{lineno}")
    return found


def _translated(catalog: Catalog | None, msgid: str) -> bool:
    entry = catalog.get(msgid) if catalog is not None else None
    if entry is None or entry.fuzzy:
        return False
    return all(entry.string) if isinstance(entry.string, tuple) else bool(entry.string)


def translation_problems(folder: Path) -> list[str]:
    """Missing catalogs, and message ids without a Chinese translation (in the plugin's catalog or the core's).

    A plugin that shows no text of its own (a connector) needs no catalog.
    """
    used = used_messages(folder)
    if not used:
        return []
    problems = [
        f"locale/{lang}/LC_MESSAGES/messages.po is missing"
        for lang in LANGUAGES
        if not catalog_path(folder, lang).is_file()
    ]
    own = read_catalog(catalog_path(folder, "zh_CN"), "zh_CN")
    core = _core_catalog("zh_CN")
    for msgid, where in sorted(used.items()):
        if not (_translated(own, msgid) or _translated(core, msgid)):
            problems.append(f"{where}: message {msgid!r} has no zh_CN translation")
    if own is not None and core is not None:
        problems += [
            f"locale/zh_CN/LC_MESSAGES/messages.po: message {clash} - one id, one meaning: use the core's words, or another id"
            for clash in disagreements({"core": core, "plugin": own})
        ]
    return problems
