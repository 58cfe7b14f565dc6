"""Making text safe: operators' rich text is sanitised, customers' text is plain and de-identified before publishing."""

from __future__ import annotations

import re

import nh3

# What an operator's page may contain: structure, emphasis, links, tables. No scripts, styles, event handlers or iframes.
ALLOWED_TAGS = {
    "p",
    "br",
    "h2",
    "h3",
    "h4",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "ul",
    "ol",
    "li",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "blockquote",
    "span",
    "div",
    "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
MAX_BODY = 20000


def sanitise_html(html: str) -> str:
    """Keep harmless markup only; links get rel="noopener noreferrer" and only http(s)/mailto/tel URLs."""
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
    )


def plain_text(html: str) -> str:
    """Markup removed entirely (for summaries and for finding out whether a body says anything)."""
    return nh3.clean(html or "", tags=set()).strip()


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_ID_NUMBER = re.compile(r"\b\d{17}[\dXx]\b")
_LONG_NUMBER = re.compile(r"\d{7,}")  # phone, account and bill numbers; short public ones (10000, 95xxx) stay


def deidentify(text: str) -> str:
    """Remove what identifies the customer from a question before it is published: e-mails, ID numbers, long numbers."""
    text = _EMAIL.sub("***@***", text or "")
    text = _ID_NUMBER.sub("******************", text)
    return _LONG_NUMBER.sub(lambda m: m.group(0)[:3] + "*" * (len(m.group(0)) - 3), text)
