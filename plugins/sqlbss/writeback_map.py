"""``[connector.writeback]`` for sqlbss: where the hall's outbox events go in the legacy database.

Two ways, per event kind:

- **By mapping** (``[connector.writeback.events."<kind>"]``, see
  :mod:`plugins.sqlbss.writeback_targets`): the event becomes rows of a table
  the BSS already has (its payments table), each column mapped.
- **The inbox** (``table``, ``event_id``, ``kind``, ``payload``): a table with a
  unique event-id column receives one row per event (id, kind, payload as JSON
  text and, optionally, when it was written); whatever the legacy system does
  with it (a trigger, a batch job) is its own business.

A kind with a mapping goes to its tables; any other kind goes to the inbox;
with no inbox it waits in the outbox with the reason. The delivery policy
keys (``max_attempts``, ``retry_base_seconds``, ``retry_max_seconds``) come
from :class:`core.legacy.outbox.OutboxPolicy`.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ConfigDict, Field, field_validator

from core.api.legacy import OutboxPolicy
from plugins.sqlbss.writeback_targets import EventTarget, target_cross_checks, time_format

IDENT = r"^[A-Za-z_][A-Za-z0-9_$#]*$"  # as mapping.IDENT (not imported: mapping imports this module)
TABLE = r"^([A-Za-z_][A-Za-z0-9_$#]*\.)?[A-Za-z_][A-Za-z0-9_$#]*$"
INBOX_KEYS = ("table", "event_id", "kind", "payload")
LABEL = re.compile(r'^"(?P<kind>[^"]+)"(\[(?P<n>\d+)\])?$')


class WritebackMap(OutboxPolicy):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    table: str | None = Field(None, pattern=TABLE, description="Legacy inbox table receiving the hall's events.")
    event_id: str | None = Field(
        None, pattern=IDENT, description="Event id column (text, 36 characters); must be unique in the legacy table."
    )
    kind: str | None = Field(None, pattern=IDENT, description="Event kind column, e.g. payment.posted.")
    payload: str | None = Field(None, pattern=IDENT, description="Payload column: JSON text.")
    written: str | None = Field(None, pattern=IDENT, description="When the hall wrote the row; omitted: not recorded.")
    written_format: str = Field(
        "native", description="native (a timestamp), epoch (seconds), epoch_ms, or text:<strftime format>."
    )
    events: dict[str, EventTarget] = Field(
        default_factory=dict,
        description='Event kind -> the BSS table(s) its rows go to, columns mapped: [connector.writeback.events."payment.posted"] (an array of tables for several).',
    )

    _format = field_validator("written_format")(classmethod(lambda cls, v: time_format(v)))

    @field_validator("events", mode="before")
    @classmethod
    def _label(cls, value: Any) -> Any:
        """Key each target as tenant.toml spells it (``"payment.posted"``, ``"payment.posted"[2]``): errors name it so."""
        if not isinstance(value, dict):
            return value
        out = {}
        for kind, targets in value.items():
            if not re.match(r"^[a-z0-9_.-]{1,64}$", str(kind)):
                raise ValueError(f"{kind!r} is not an event kind (such as payment.posted)")
            if isinstance(targets, list):
                out.update({f'"{kind}"[{n}]': t for n, t in enumerate(targets, 1)})
            else:
                out[f'"{kind}"'] = targets
        return out

    @field_validator("events")
    @classmethod
    def _kinds(cls, value: dict[str, EventTarget]) -> dict[str, EventTarget]:
        for label, target in value.items():
            target._kind = LABEL.match(label)["kind"]
            target._label = f"writeback.events.{label}"
        return value

    @property
    def has_inbox(self) -> bool:
        return self.table is not None

    def targets(self, kind: str) -> list[EventTarget]:
        """The tables events of ``kind`` are written to, in the order of tenant.toml; [] for the inbox.

        Compared in lower case: the loader lower-cases tenant.toml's keys, and kinds such as
        ``productOrder.completed`` have capitals."""
        return [t for t in self.events.values() if t.kind == kind.lower()]


def writeback_cross_checks(m) -> list[tuple[str, str]]:
    """Keys of ``[connector.writeback]`` that are wrong together: (key under connector., reason)."""
    w = m.writeback
    if w is None:
        return []
    problems = []
    given = [k for k in INBOX_KEYS if getattr(w, k) is not None]
    if given and len(given) < len(INBOX_KEYS):
        for k in INBOX_KEYS:
            if getattr(w, k) is None:
                problems.append((f"writeback.{k}", "required for the inbox (table, event_id, kind and payload)"))
    if not given and not w.events:
        problems.append(
            (
                "writeback",
                'map the inbox (table, event_id, kind, payload) or events ([connector.writeback.events."payment.posted"])',
            )
        )
    if not given and w.written is not None:
        problems.append(("writeback.written", "belongs to the inbox: give table, event_id, kind and payload too"))
    for target in w.events.values():
        problems += target_cross_checks(target)
    return problems
