"""Where a served hall's log lines go: stderr, with the whole traceback of every failure and ID numbers masked.

``hall serve`` and ``hall demo`` run the app in granian workers, which configure
only granian's own loggers; without a handler of ours an unhandled error's
traceback depended on Python's last-resort handler (and was lost wherever a
library had put a handler on the root logger). Tests leave this alone: pytest's
log capture is their handler.
"""

from __future__ import annotations

import logging
import sys

from core.privacy import MaskingFilter

FORMAT = "%(asctime)s %(levelname)s %(name)s [pid %(process)d]: %(message)s"


class HallLogHandler(logging.StreamHandler):
    """stderr, ID numbers masked in every record that reaches it (a filter on a handler sees propagated records too)."""

    def __init__(self, stream=None):
        super().__init__(stream or sys.stderr)
        self.setFormatter(logging.Formatter(FORMAT))
        self.addFilter(MaskingFilter())


def configure_logging(level: int = logging.INFO) -> HallLogHandler:
    """Install the handler once per process; the ``hall`` loggers log from ``level`` up, libraries from WARNING."""
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler, HallLogHandler):
            return handler
    handler = HallLogHandler()
    root.addHandler(handler)
    hall = logging.getLogger("hall")
    if hall.level == logging.NOTSET or hall.level > level:
        hall.setLevel(level)
    return handler
