from mailbox_support import dovecot, world  # noqa: F401  (the fixtures)
