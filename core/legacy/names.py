"""Names of legacy codes in the viewer's language: a bill item's code → its charge name.

A legacy system names charges in one language (月租费). The connector mapping of
a tenant may give a name per code, either one plain string (every language, as
before) or a table per language, ``{zh_CN = "月租费", en = "Monthly fee"}``. The
connector offers them with an optional ``display_names(kind)`` method (sqlbss:
``[connector.bill_items.name_map]``); without a name the legacy system's own is shown.
"""

from __future__ import annotations

Name = str | dict[str, str]


def code_key(code) -> str:
    """How codes are compared (as the connector mappings do): trimmed and case-folded."""
    return str(code or "").strip().casefold()


def pick(name: Name | None, language: str, fallback: str = "") -> str | None:
    """The name in ``language``, else in ``fallback`` (the tenant's language), else None."""
    if name is None:
        return None
    if isinstance(name, str):
        return name or None
    return name.get(language) or (name.get(fallback) if fallback else None) or None


def display_names(hall, tenant, kind: str) -> dict[str, Name]:
    """{code key: name} the tenant's connector gives for ``kind`` ("bill_items"); {} when it gives none."""
    connector = hall.connector(tenant) if hall is not None else None
    offer = getattr(connector, "display_names", None)
    names = offer(kind) if callable(offer) else None
    return {code_key(k): v for k, v in (names or {}).items()}


def localise_items(items: list[dict], names: dict[str, Name], language: str, fallback: str = "") -> list[dict]:
    """Bill items with ``name`` in the viewer's language where the map has one (the rows are copied, not changed)."""
    if not names:
        return items
    out = []
    for item in items:
        better = pick(names.get(code_key(item.get("code"))), language, fallback)
        out.append({**item, "name": better} if better else item)
    return out
