"""Plugin commands (the ``register_commands`` hook): load the hall with readable configuration errors and
run async code against its databases."""

from core.cli.base import load_hall, run, with_db

__all__ = ["load_hall", "run", "with_db"]
