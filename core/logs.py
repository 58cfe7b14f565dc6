"""One logging set-up for every long-running ``hall`` process: plain lines on stderr, which journald (or any supervisor) keeps.

``hall serve`` hands :func:`dictconfig` to granian (its own lines and every
worker's), ``hall worker`` applies it with :func:`configure`. ID numbers are
masked on the way out (core.privacy.MaskingFilter), whichever logger wrote them. No timestamps
beyond the one in the line: journald adds its own, a file redirect keeps ours.

Every worker also gets :class:`HallLogHandler` through :func:`configure_logging` unless such a
masking handler is there already, so an unhandled error's traceback always reaches stderr. Tests leave
this alone: pytest's log capture is their handler.
"""

from __future__ import annotations

import logging
import logging.config
import sys

from core.privacy import MaskingFilter

FORMAT = "%(asctime)s %(levelname)s %(name)s[%(process)d]: %(message)s"


def dictconfig(level: str = "INFO") -> dict:
    """A ``logging.config.dictConfig`` dictionary; granian's loggers keep their names, procrastinate's chatter stays at WARNING."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "generic": {"format": FORMAT},
            "access": {"format": "%(asctime)s access: %(message)s"},
        },
        # on the handlers, not a logger: a logger's filters miss what its children propagate to it
        "filters": {"mask": {"()": "core.privacy.MaskingFilter"}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "generic",
                "stream": "ext://sys.stderr",
                "filters": ["mask"],
            },
            "access": {
                "class": "logging.StreamHandler",
                "formatter": "access",
                "stream": "ext://sys.stderr",
                "filters": ["mask"],
            },
        },
        "loggers": {
            "_granian": {"handlers": ["console"], "level": level, "propagate": False},
            "granian.access": {"handlers": ["access"], "level": level, "propagate": False},
            "procrastinate": {
                "level": "WARNING"
            },  # its per-job lines repeat ours (core.jobs logs each job with its tenant)
            "mail.log": {"level": "WARNING"},  # aiosmtpd (the demo's mail sink): a line per SMTP command
        },
        "root": {"handlers": ["console"], "level": level},
    }


def configure(level: str = "INFO") -> None:
    logging.config.dictConfig(dictconfig(level))


class HallLogHandler(logging.StreamHandler):
    """stderr, ID numbers masked in every record that reaches it (a filter on a handler sees propagated records too)."""

    def __init__(self, stream=None):
        super().__init__(stream or sys.stderr)
        self.setFormatter(logging.Formatter(FORMAT))
        self.addFilter(MaskingFilter())


def configure_logging(level: int = logging.INFO) -> HallLogHandler:
    """Install the handler once per process; the ``hall`` loggers log from ``level`` up, libraries from WARNING."""
    root = logging.getLogger()
    for handler in root.handlers:  # ours already, or the masking console handler of dictconfig() (granian workers)
        if isinstance(handler, HallLogHandler) or any(isinstance(f, MaskingFilter) for f in handler.filters):
            return handler
    handler = HallLogHandler()
    root.addHandler(handler)
    hall = logging.getLogger("hall")
    if hall.level == logging.NOTSET or hall.level > level:
        hall.setLevel(level)
    return handler
