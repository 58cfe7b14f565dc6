"""Minimal form handling: values, per-field errors as message ids (translated when shown next to the field)."""

from __future__ import annotations

from typing import Any

from litestar import Request

MAX_FIELD = 2000


class Form:
    def __init__(self, data: dict[str, Any] | None = None):
        self.data = {k: (v if isinstance(v, str) else str(v)) for k, v in (data or {}).items() if not k.startswith("_")}
        self.errors: dict[str, tuple[str, dict]] = {}

    @classmethod
    async def from_request(cls, request: Request) -> "Form":
        form = await request.form()
        return cls({k: form.get(k) for k in form.keys()})

    def value(self, name: str) -> str:
        return (self.data.get(name) or "").strip()[:MAX_FIELD]

    def raw(self, name: str) -> str:
        """Unstripped (passwords)."""
        return (self.data.get(name) or "")[:MAX_FIELD]

    def error(self, name: str, message: str, **params: Any) -> None:
        self.errors.setdefault(name, (message, params))

    def take(self, problems: "FieldErrors") -> None:
        """Show a service's field errors next to the fields (an error already on a field stays first)."""
        for name, (message, params) in problems.errors.items():
            self.error(name, message, **params)

    def require(self, *names: str) -> None:
        from core.i18n import N_

        for name in names:
            if not self.value(name):
                self.error(name, N_("This field is required."))

    @property
    def valid(self) -> bool:
        return not self.errors

    def safe_data(self) -> dict[str, str]:
        """Values to echo back into the form: never passwords or codes."""
        return {k: v for k, v in self.data.items() if "password" not in k and k != "code"}


class FieldErrors(Exception):
    """What a service found wrong with a request, per field (message ids), raised instead of writing anything.

    The handler catches it, ``form.take(problems)`` and renders the form again (docs/architecture.md, "The request path").
    """

    def __init__(self) -> None:
        super().__init__("field errors")
        self.errors: dict[str, tuple[str, dict]] = {}

    def add(self, name: str, message: str, **params: Any) -> None:
        self.errors.setdefault(name, (message, params))

    def require(self, **values: str) -> None:
        """ "This field is required." for each empty value, in the order given."""
        from core.i18n import N_

        for name, value in values.items():
            if not value:
                self.add(name, N_("This field is required."))

    def raise_if_any(self) -> None:
        if self.errors:
            raise self
