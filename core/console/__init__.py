"""The operators' console shell: console home, customer look-up and view, audit log, messages, tenants (always on)."""
