"""One logging set-up for every long-running ``hall`` process: plain lines on stderr, which journald (or any supervisor) keeps.

``hall serve`` hands :func:`dictconfig` to granian (its own lines and every
worker's), ``hall worker`` applies it with :func:`configure`. No timestamps
beyond the one in the line: journald adds its own, a file redirect keeps ours.
"""

from __future__ import annotations

import logging.config

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
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "generic", "stream": "ext://sys.stderr"},
            "access": {"class": "logging.StreamHandler", "formatter": "access", "stream": "ext://sys.stderr"},
        },
        "loggers": {
            "_granian": {"handlers": ["console"], "level": level, "propagate": False},
            "granian.access": {"handlers": ["access"], "level": level, "propagate": False},
            "procrastinate": {"level": "WARNING"},  # its per-job lines repeat ours (core.jobs logs each job with its tenant)
        },
        "root": {"handlers": ["console"], "level": level},
    }


def configure(level: str = "INFO") -> None:
    logging.config.dictConfig(dictconfig(level))
