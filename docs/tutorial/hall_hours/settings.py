"""The typed schema of ``[plugins.hours]``: validated for every tenant at start-up."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

SPAN = re.compile(r"(\d\d):(\d\d)-(\d\d):(\d\d)")


def check_span(value: str) -> str:
    """``"08:30-17:30"``, or ``""`` for closed; ValueError with a reason an operator can act on."""
    value = value.strip()
    if not value:
        return ""
    match = SPAN.fullmatch(value)
    if match is None:
        raise ValueError("write the hours as HH:MM-HH:MM, e.g. 08:30-17:30 (empty means closed)")
    oh, om, ch, cm = (int(part) for part in match.groups())
    if oh > 23 or om > 59 or cm > 59 or (ch, cm) > (24, 0):
        raise ValueError("not a time of day")
    if (oh, om) >= (ch, cm):
        raise ValueError("the closing time must be after the opening time")
    return value


class HoursSettings(BaseModel):
    """Settings of the hours plugin: when the counters and the hotline are open."""

    model_config = ConfigDict(extra="forbid")  # a misspelt key is an error, not a silent default

    weekdays: str = Field("08:30-17:30", description="Counter hours Monday to Friday, HH:MM-HH:MM; empty means closed.")
    weekends: str = Field("09:00-16:00", description="Counter hours on Saturday and Sunday; empty means closed.")
    hotline: str = Field("00:00-24:00", description="Hours the hotline is staffed.")
    note: str = Field("", max_length=200, description="One line shown under the hours, e.g. about public holidays.")
    on_home: bool = Field(True, description="Show the hours panel on the customer home page.")

    @field_validator("weekdays", "weekends", "hotline")
    @classmethod
    def _span(cls, value: str) -> str:
        return check_span(value)
