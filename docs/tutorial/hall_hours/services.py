"""What the hours pages show, computed from the tenant's settings: the handlers and the panel call these."""

from __future__ import annotations

from dataclasses import dataclass

from core.api import N_

from .settings import HoursSettings


@dataclass(frozen=True)
class Row:
    label: str  # message id, translated in the template
    span: str  # "08:30-17:30", or "" when closed


def hours_context(settings: HoursSettings) -> dict:
    """What hours/panel.html needs: the rows and the note of this tenant's settings."""
    rows = [
        Row(N_("Counters, Monday to Friday"), settings.weekdays),
        Row(N_("Counters, Saturday and Sunday"), settings.weekends),
        Row(N_("Hotline"), settings.hotline),
    ]
    return {"hours": rows, "hours_note": settings.note}


def settings_table(settings: HoursSettings) -> list[tuple[str, object, object]]:
    """(key, this tenant's value, the default) of every setting, for the console page."""
    return [(name, getattr(settings, name), field.default) for name, field in HoursSettings.model_fields.items()]
