"""Fixtures of the mailbox tests: a Dovecot for the session and a world per test (helpers: mailbox_support.py)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from mailbox_support import build

from plugins.mailbox import server


@pytest.fixture(scope="session")
def dovecot():
    """Dovecot 2.3 from Debian, started with a generated dovecot.conf on a free port, stopped at the end."""
    if not server.installed():
        pytest.skip("dovecot is not installed (scripts/ensure-dovecot installs dovecot-imapd)")
    base = Path(tempfile.mkdtemp(prefix="hall-dovecot-"))
    instance = server.LocalDovecot(base, server.free_port()).start()
    yield instance
    instance.stop()


@pytest.fixture
def world(hall_factory, dovecot):
    return build(hall_factory, dovecot)
