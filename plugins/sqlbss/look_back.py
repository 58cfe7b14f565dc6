"""The sqlbss side of the look-back (core.legacy.look_back): a watermark's change time, and a watermark moved back.

A customers or bills watermark is (change marker, key) in the legacy system's own
representation (markers.py). Moving it back means: read the marker as a time
(with the mapping's ``changed_format``), subtract, and write it back in the same
representation (text in the same strftime format, epoch seconds, a timestamp...),
so the comparison still happens in the legacy database, on its index. The key
parts of a rewound watermark are empty (JSON null): the next read asks for rows
whose marker is strictly after the rewound time, whatever their key
(:func:`plugins.sqlbss.changes.after`). Rounding always goes further back, never
forward: a look-back reads a little more, never less.

Call records have a position per monthly table, often by increasing key alone:
they are not rewound (``rewind`` answers None), as calls are append-only.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from plugins.sqlbss import markers


def _back_in_kind(marker: Any, moment: dt.datetime, fmt: str, tz: dt.tzinfo) -> Any:
    """``moment`` written the way ``marker`` is (same type, format and zone); None when that is not known."""
    if fmt in ("epoch", "epoch_ms"):
        value = math.floor(moment.timestamp() * (1000 if fmt == "epoch_ms" else 1))
        return str(value) if isinstance(marker, str) else value
    local = moment.astimezone(tz)
    if fmt.startswith("text:"):
        text = local.replace(tzinfo=None).strftime(fmt[5:])
        return int(text) if isinstance(marker, int) and text.isdigit() else text
    if isinstance(marker, dt.datetime):
        return moment.astimezone(marker.tzinfo) if marker.tzinfo else local.replace(tzinfo=None)
    if isinstance(marker, dt.date):
        return local.date()  # the marker is a day: midnight of that day minus the span falls on the day before
    if isinstance(marker, str):  # a timestamp kept as ISO text
        return local.replace(tzinfo=None, microsecond=0).isoformat(sep="T" if "T" in marker else " ")
    return None


class LookBackPort:
    """``LookBackSource`` for the kinds whose watermark is (change marker, key): customers and bills."""

    def _marker_mapping(self, kind: str):
        section = {"customers": self.mapping.customers, "bills": self.mapping.bills}.get(kind)
        return section  # None for calls, and for bills when the mapping has none

    def watermark_time(self, kind: str, watermark: str) -> dt.datetime | None:
        section = self._marker_mapping(kind)
        position = markers.decode(watermark, len(section.key)) if section is not None else None
        if position is None:
            return None
        return markers.to_datetime(position[0], section.changed_format, self.mapping.tz)

    def watermark_text(self, kind: str, watermark: str) -> str | None:
        """The watermark as staff read it on the sync page, when it is not a time (call records' positions)."""
        return markers.describe(watermark)

    def rewind(self, kind: str, watermark: str, by: dt.timedelta) -> str | None:
        section = self._marker_mapping(kind)
        position = markers.decode(watermark, len(section.key)) if section is not None else None
        if position is None:
            return None
        marker = position[0]
        moment = markers.to_datetime(marker, section.changed_format, self.mapping.tz) - by
        earlier = _back_in_kind(marker, moment, section.changed_format, self.mapping.tz)
        return None if earlier is None else markers.encode(earlier, (None,) * len(section.key))
