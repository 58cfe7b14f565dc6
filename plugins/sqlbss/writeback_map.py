"""``[connector.writeback]`` for sqlbss: the legacy table that receives the hall's outbox events.

The legacy side keeps an inbox table with a unique event-id column; the
connector inserts one row per event (id, kind, payload as JSON text and,
optionally, when it was written) unless a row with that id exists. Whatever
the legacy system does with its inbox (a trigger, a batch job) is its own
business. The delivery policy keys (``max_attempts``, ``retry_base_seconds``,
``retry_max_seconds``) come from :class:`core.legacy.outbox.OutboxPolicy`.
"""

from __future__ import annotations

from pydantic import ConfigDict, Field, field_validator

from core.api.legacy import OutboxPolicy

IDENT = r"^[A-Za-z_][A-Za-z0-9_$#]*$"  # as mapping.IDENT (not imported: mapping imports this module)
TABLE = r"^([A-Za-z_][A-Za-z0-9_$#]*\.)?[A-Za-z_][A-Za-z0-9_$#]*$"


class WritebackMap(OutboxPolicy):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    table: str = Field(pattern=TABLE, description="Legacy inbox table receiving the hall's events.")
    event_id: str = Field(
        pattern=IDENT, description="Event id column (text, 36 characters); must be unique in the legacy table."
    )
    kind: str = Field(pattern=IDENT, description="Event kind column, e.g. payment.posted.")
    payload: str = Field(pattern=IDENT, description="Payload column: JSON text.")
    written: str | None = Field(None, pattern=IDENT, description="When the hall wrote the row; omitted: not recorded.")
    written_format: str = Field(
        "native", description="native (a timestamp), epoch (seconds), epoch_ms, or text:<strftime format>."
    )

    @field_validator("written_format")
    @classmethod
    def _format(cls, value: str) -> str:
        if value in ("native", "epoch", "epoch_ms") or (value.startswith("text:") and "%" in value):
            return value
        raise ValueError("must be native, epoch, epoch_ms or text:<strftime format> such as text:%Y%m%d%H%M%S")
