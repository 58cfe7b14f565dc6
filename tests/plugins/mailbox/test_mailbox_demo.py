"""``hall demo``: the demo tenants sell mailboxes, and a local Dovecot serves their domains when it is installed
(and the demo says plainly when it is not)."""

from __future__ import annotations

import imaplib
import tempfile
import tomllib
from pathlib import Path

from plugins.mailbox import demo, server

REPO = Path(__file__).parents[3]


def test_both_demo_tenants_enable_mailboxes_on_a_domain_of_their_own():
    domains = set()
    for tid in ("jiangnan", "haibin"):
        data = tomllib.loads((REPO / "tenants" / tid / "tenant.toml").read_text(encoding="utf-8"))
        assert "mailbox" in data["tenant"]["plugins"]
        section = data["plugins"]["mailbox"]
        assert section["domain"] and section["products"]
        domains.add(section["domain"])
    assert len(domains) == 2


def test_the_demo_starts_dovecot_for_the_tenants_and_says_when_it_is_missing(world, monkeypatch):
    from core.api.testing import TenantSpec  # noqa: F401  (the world fixture builds the hall)

    settings = world.tenant.plugin_settings("mailbox")
    lines: list[str] = []
    monkeypatch.setattr(server, "installed", lambda: None)
    assert demo.demo_dovecot(world.hall, start=True, echo=lines.append) is None
    assert "NOT installed" in lines[-1]
    monkeypatch.undo()

    # the world's tenant points at the session's Dovecot; the demo would start another on the same port: move it
    port = server.free_port()
    tmp_path = Path(tempfile.mkdtemp(prefix="hall-demo-"))  # short: Dovecot's sockets live under it (108 bytes)
    patched = settings.model_copy(
        update={"imap_port": port, "users_dir": str(tmp_path / "users"), "mail_root": str(tmp_path / "boxes")}
    )
    monkeypatch.setattr(type(world.tenant), "plugin_settings", lambda self, name: patched, raising=False)
    running = demo.demo_dovecot(world.hall, start=True, echo=lines.append)
    try:
        assert running is not None and f"127.0.0.1:{port}" in lines[-1] and "2.3" in lines[-1], lines
        conn = imaplib.IMAP4("127.0.0.1", port, timeout=10)
        assert conn.welcome.startswith(b"* OK")
        conn.shutdown()
    finally:
        if running is not None:
            running.stop()
