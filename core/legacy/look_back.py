"""The look-back window: each incremental run also re-reads rows stamped shortly before the watermark.

Legacy systems stamp some changes late: a payment posted by a night batch gets the
time the batch *started*, an address change the time the clerk *opened* the form.
Such a row's change time is earlier than a watermark the hall already stored, so
reading strictly after the watermark never sees it. With a look-back of ``N``
minutes a run reads from "watermark minus N minutes" instead; the upserts compare
with what the hall holds and write only rows that really differ, so re-reading
an unchanged row costs a read and nothing else (no ``synced_at`` bump, no audit,
no event). A row stamped even earlier is left to the change reconciliation
(core.legacy.change_reconcile).

The watermark is the connector's opaque text, so moving it back is the connector's
job: the optional :class:`LookBackSource` port. A connector without it (or a kind
it cannot rewind, e.g. sqlbss calls read by increasing key) syncs as before.

The stored watermark never moves back: pages read inside the window leave it
where it was, so a run cut short re-reads the same window next time, and the
sync page's watermark only ever advances.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from core.legacy.settings import legacy_settings
from core.tenancy import Tenant


@runtime_checkable
class LookBackSource(Protocol):
    """Optional port: read a watermark's change time, and move a watermark back in time."""

    def watermark_time(self, kind: str, watermark: str) -> dt.datetime | None:
        """The change time a watermark of ``kind`` stands at (aware); None when it has none ("" or a key-only watermark)."""
        ...

    def rewind(self, kind: str, watermark: str, by: dt.timedelta) -> str | None:
        """A watermark from which the next read returns every row changed after (watermark time - ``by``);
        None when this kind's watermarks cannot be rewound."""
        ...


def look_back_minutes(tenant: Tenant | None, kind: str) -> int:
    """The tenant's ``[legacy] <kind>_look_back_minutes`` (0 for a kind without the setting)."""
    return getattr(legacy_settings(tenant), f"{kind}_look_back_minutes", 0)


@dataclass(frozen=True)
class LookBack:
    """A look-back for one run of one kind (``sync_kind`` asks it where to start and what it may store)."""

    connector: LookBackSource
    kind: str
    span: dt.timedelta

    def start(self, watermark: str) -> str:
        """Where the run reads from: the rewound watermark, or ``watermark`` itself when it cannot be rewound."""
        if not watermark or not self.span:
            return watermark
        return self.connector.rewind(self.kind, watermark, self.span) or watermark

    def time_of(self, watermark: str) -> dt.datetime | None:
        """The watermark's change time; None for none, or for one that does not fit (the read then says why)."""
        try:
            return self.connector.watermark_time(self.kind, watermark) if watermark else None
        except ValueError:
            return None

    def keep(self, reached: str, stored: str, stored_time: dt.datetime | None) -> str:
        """The watermark to store after reaching ``reached``: never one earlier than the ``stored`` one."""
        if not stored or stored_time is None:
            return reached
        reached_time = self.time_of(reached)
        return reached if reached_time is not None and reached_time > stored_time else stored

    @staticmethod
    def reread_ids(records: list, stored_time: dt.datetime | None) -> frozenset[str]:
        """The ids of ``records`` stamped at or before the stored watermark: read again, not new.

        Rows stamped in the very second of the watermark but after its key are new, yet counted
        here too: the counts on the sync page are a little generous, the writes are exact.
        """
        if stored_time is None:
            return frozenset()
        return frozenset(
            r.legacy_id for r in records if (t := getattr(r, "changed_at", None)) is not None and t <= stored_time
        )


def look_back_for(tenant: Tenant, connector, kind: str) -> LookBack | None:
    """The tenant's look-back for ``kind`` on ``connector``; None when it is 0 or the connector cannot rewind."""
    minutes = look_back_minutes(tenant, kind)
    if minutes <= 0 or not isinstance(connector, LookBackSource):
        return None
    return LookBack(connector, kind, dt.timedelta(minutes=minutes))
