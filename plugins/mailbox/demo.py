"""``hall demo``: a local Dovecot serving the demo tenants' mail domains, when the package is installed."""

from __future__ import annotations

from pathlib import Path

from . import server


class _Running:
    def __init__(self, instance: server.LocalDovecot):
        self.instance = instance

    def stop(self) -> None:
        self.instance.stop()


def demo_dovecot(hall, *, start: bool, echo):
    tenants = [t for t in hall.tenants if t.enables("mailbox") and t.plugin_settings("mailbox").domain]
    if not tenants:
        return None
    first = tenants[0].plugin_settings("mailbox")
    domains = ", ".join(t.plugin_settings("mailbox").domain for t in tenants)
    if not server.installed():
        echo(
            "Mailbox: Dovecot is NOT installed, so mailboxes are applied for and approved but nobody can log in "
            "over IMAP (apt-get install dovecot-imapd; scripts/ensure-dovecot)."
        )
        return None
    if not start:
        echo(f"Mailbox: Dovecot ({server.version()}) would serve {domains} on 127.0.0.1:{first.imap_port}.")
        return None
    users, mail = Path(first.users_dir), Path(first.mail_root)
    instance = server.LocalDovecot(users.parent / "dovecot", first.imap_port, users=users, mail=mail)
    try:
        instance.start()
    except Exception as exc:  # a busy port must not stop the demo
        echo(f"Mailbox: Dovecot could not start on 127.0.0.1:{first.imap_port}: {exc}")
        return None
    echo(f"Mailbox: Dovecot {server.version()} serves {domains} over IMAP on 127.0.0.1:{first.imap_port}.")
    return _Running(instance)
