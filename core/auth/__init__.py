"""Identity: customers (real-name sign-up), operators, roles, sessions, throttling."""
